import '../shared/zod-config';
import { render } from 'preact';
import '../shared/base.css';
import './portal.css';
import { App } from './app';
import { startSession } from './session';

// Before the first render: the token leaves the address bar at once.
const start = startSession();
const root = document.getElementById('app');
if (root) render(<App start={start} />, root);
