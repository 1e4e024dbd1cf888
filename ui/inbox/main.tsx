import '../shared/zod-config';
import { render } from 'preact';
import '../shared/base.css';
import './inbox.css';
import { App } from './app';

const root = document.getElementById('app');
if (root) render(<App />, root);
