/**
 * Run-time settings shared by every server process: the /info minimum app versions and the
 * faults profile. They live in storage (so `PUT /__picco/info` on one worker reaches all of them)
 * and each process re-reads them at most every `refreshMs`, lazily, in the background of a
 * request; the process that received the PUT applies it at once. The trade-off: other processes
 * see a change up to refreshMs later, in exchange for no storage read on the hot path.
 *
 * @example
 * await settings.setInfo({ min_app_version: { ios: '1.14.0', android: '1.14.0' } });
 */
import type { AppInfo, Clock } from './context.ts';
import type { Storage } from './storage/storage.ts';
import { faultsSchema, type FaultsProfile, type RouteFault } from './downstream/faults.ts';
import type { Downstream } from './downstream/services.ts';

const INFO_KEY = 'io.info';
const FAULTS_KEY = 'faults';

export class RuntimeSettings {
  private lastRefresh = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private infoValue: AppInfo,
    private faultsValue: FaultsProfile,
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly downstream: Downstream,
    private readonly refreshMs: number,
  ) {}

  get info(): AppInfo {
    this.maybeRefresh();
    return this.infoValue;
  }

  get faults(): FaultsProfile {
    this.maybeRefresh();
    return this.faultsValue;
  }

  routeFault(route: string): RouteFault | undefined {
    return this.faults.routes?.[route];
  }

  async setInfo(patch: Partial<AppInfo>): Promise<AppInfo> {
    this.infoValue = { ...this.infoValue, ...patch };
    await this.storage.putSetting(INFO_KEY, this.infoValue, this.clock.now());
    return this.infoValue;
  }

  async setFaults(profile: FaultsProfile): Promise<void> {
    this.faultsValue = profile;
    this.downstream.configure(profile);
    await this.storage.putSetting(FAULTS_KEY, profile, this.clock.now());
  }

  /** Re-reads both settings now (used at start and by the lazy refresh). */
  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    const [info, faults] = await Promise.all([this.storage.getSetting(INFO_KEY), this.storage.getSetting(FAULTS_KEY)]);
    if (info !== undefined) this.infoValue = info as AppInfo;
    if (faults !== undefined) {
      const parsed = faultsSchema.safeParse(faults);
      if (parsed.success && JSON.stringify(parsed.data) !== JSON.stringify(this.faultsValue)) {
        this.faultsValue = parsed.data;
        this.downstream.configure(parsed.data);
      }
    }
  }

  private maybeRefresh(): void {
    if (this.refreshMs <= 0 || this.refreshing !== undefined || Date.now() - this.lastRefresh < this.refreshMs) return;
    this.refreshing = this.refresh().catch(() => undefined).finally(() => { this.refreshing = undefined; });
  }
}
