/**
 * The rows of `npm run bench -- server`, in the order they are measured and printed. One row =
 * one function (see row.ts): baselines first, since later rows divide by them.
 */
import type { RowFn } from './row.ts';
import { bareHono, piccoInfo, sqliteCards } from './reference-rows.ts';
import { postgresCards } from './postgres-rows.ts';
import { bareNode, cardBudget, sqliteStore } from './floor-rows.ts';

export const ROWS: readonly RowFn[] = [bareHono, bareNode, piccoInfo, sqliteStore, sqliteCards, cardBudget, postgresCards];
