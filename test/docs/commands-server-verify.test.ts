/**
 * Runs the documented commands of group 'server-verify' (test/docs/recipes/) as a reader would type them,
 * against real servers; what each recipe changes to fit CI is in its 'why'.
 */
import { describe } from 'vitest';
import { GROUPS } from './recipes/index.ts';
import { runGroup } from './run-group.ts';

describe('documented commands: server-verify', () => {
  runGroup(GROUPS['server-verify']!);
});
