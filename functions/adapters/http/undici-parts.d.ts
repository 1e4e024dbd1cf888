// The parts of undici that safe-dispatcher.ts loads by path instead of through undici's index,
// which would bundle fetch, WebSocket, the cache and mock agents too. Their types are the ones
// undici publishes for the same objects.

declare module 'undici/lib/dispatcher/agent' {
  import { Agent } from 'undici';
  export = Agent;
}

declare module 'undici/lib/dispatcher/dispatcher' {
  import { Dispatcher } from 'undici';
  export = Dispatcher;
}

declare module 'undici/lib/core/connect' {
  import { buildConnector } from 'undici';
  export = buildConnector;
}

declare module 'undici/lib/api/api-request' {
  import type { Dispatcher } from 'undici';

  const request: Dispatcher['request'];
  export = request;
}
