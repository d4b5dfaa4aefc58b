/**
 * The three real APIs of 2020 as the pack's named origins: io-backend at the root, the payment
 * manager under its basePath `/pp-restapi-CD` (pm-spec.json), BPD's io API at the root (its paths
 * carry `/bpd/io`). One `--target URL` serves all three, as the reference server does; a vendor's
 * three hosts are `--target io=URL --target pm=URL --target bpd=URL` (or `--target-io/-pm/-bpd`).
 */
import type { Origins } from '../harness/scenario/index.ts';

export const ORIGINS_2020 = {
  io: {},
  pm: { basePath: '/pp-restapi-CD' },
  bpd: {},
} as const satisfies Origins;
