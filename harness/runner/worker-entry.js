// Worker bootstrap: workers do not inherit the parent's tsx loader, so register it here and
// then load the TypeScript worker (see worker.ts).
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
