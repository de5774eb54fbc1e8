import { isAbsolute, relative, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig, ConfigError, loadPlanFilesEnv } from '@app/config';
import { EVENT_STORE, type EventStore } from '@app/event-store';
import {
  PLAN_STREAM_PREFIX,
  PlanCatalog,
  PlanFileError,
  PlanLoadConflictError,
  type PlanLoadResult,
  formatPlanError,
  loadPlan,
  loadPlanFile,
  planStats,
} from '@app/plan';

/** The plan the application ships, adopted on a first start when PLAN_FILES is not set. */
export const DEFAULT_PLAN_FILE = 'libs/plan/plans/hu-2022-2023.yaml';

export interface PlanFilesSetting {
  /** Absolute paths, in the order given. */
  readonly files: readonly string[];
  /** True when PLAN_FILES named them: a missing file is then an error, not a warning. */
  readonly explicit: boolean;
}

/**
 * PLAN_FILES: comma-separated paths of plan files (relative to `cwd`), or `none` to adopt
 * nothing; the raw value, or as the configuration schema parsed it (AppConfig.planFiles).
 * Unset or empty means the shipped plan.
 */
export function planFilesSetting(value: string | readonly string[] | undefined, cwd: string): PlanFilesSetting {
  const entries = typeof value === 'string' ? loadPlanFilesEnv(value) : value;
  if (entries === undefined) return { files: [resolve(cwd, DEFAULT_PLAN_FILE)], explicit: false };
  return { files: entries.map((entry) => resolve(cwd, entry)), explicit: true };
}

/** What autoloading needs; the catalog is waited for so the plans are served once it returns. */
export interface AutoloadDeps {
  readonly store: EventStore;
  readonly catalog?: Pick<PlanCatalog, 'waitForPosition'>;
  readonly logger: Pick<Logger, 'log' | 'warn'>;
}

/**
 * Adopts the plan files of `setting` unless the store holds any plan already. Returns what was
 * loaded (empty when nothing was). A missing shipped plan only warns; a missing file PLAN_FILES
 * names, or an invalid plan, stops the start with a message that says which and why.
 */
export async function autoloadPlans(deps: AutoloadDeps, setting: PlanFilesSetting, cwd: string): Promise<PlanLoadResult[]> {
  if (await anyPlanAdopted(deps.store)) return [];
  if (setting.files.length === 0) {
    deps.logger.log('No plan adopted yet, and PLAN_FILES=none: starting without a plan');
    return [];
  }
  const results: PlanLoadResult[] = [];
  for (const file of setting.files) {
    const result = await adopt(deps, file, setting.explicit, cwd);
    if (result) results.push(result);
  }
  return results;
}

async function anyPlanAdopted(store: EventStore): Promise<boolean> {
  for await (const _ of store.readAll({ filter: { streamPrefixes: [PLAN_STREAM_PREFIX] }, maxCount: 1 })) return true;
  return false;
}

async function adopt(deps: AutoloadDeps, file: string, explicit: boolean, cwd: string): Promise<PlanLoadResult | undefined> {
  let loaded;
  try {
    loaded = await loadPlanFile(file);
  } catch (error) {
    if (error instanceof PlanFileError && error.reason === 'not-found' && !explicit) {
      deps.logger.warn(`No plan adopted: the shipped plan ${file} does not exist (set PLAN_FILES to adopt another)`);
      return undefined;
    }
    if (error instanceof PlanFileError) {
      throw new ConfigError('PLAN_FILES', `names ${file}, which ${error.reason === 'not-found' ? 'does not exist' : 'cannot be read'}`);
    }
    throw error;
  }
  if (!loaded.plan) {
    throw new Error(`The plan file ${file} is invalid:\n${loaded.errors.map(formatPlanError).join('\n')}`);
  }
  // Recorded relative to the working directory when inside it: the same checkout elsewhere
  // then records the same name.
  const fromCwd = relative(cwd, file);
  const sourceFile = fromCwd && !fromCwd.startsWith('..') && !isAbsolute(fromCwd) ? fromCwd : file;
  try {
    const result = await loadPlan(deps.store, loaded.plan, { principal: 'system:autoload', sourceFile, sha256: loaded.sha256 });
    const stats = planStats(loaded.plan);
    deps.logger.log(
      `Plan ${result.planId} ${result.outcome} from ${sourceFile}: ${stats.pillars} pillars, ${stats.objectives} objectives, ` +
        `${stats.measures} measures, ${stats.indicators} indicators, ${stats.agencies} agencies`,
    );
    if (result.position !== undefined) await deps.catalog?.waitForPosition(result.position, 10_000);
    return result;
  } catch (error) {
    // Several instances starting together on an empty shared store: one adopts, the rest see it.
    if (!(error instanceof PlanLoadConflictError)) throw error;
    deps.logger.log(`Plan ${loaded.plan.id} was adopted concurrently by another instance`);
    return undefined;
  }
}

/**
 * On a first start (no plan stream in the store at all) adopts the shipped plan(s), so a fresh
 * installation serves a plan without an operator step. Once any plan exists it does nothing:
 * plans then change only through `ledger plan load`, which records amendments explicitly.
 * Runs before the server listens, and waits until the catalog has the plans.
 */
@Injectable()
export class PlanAutoloadService implements OnApplicationBootstrap {
  private readonly logger = new Logger('PlanAutoload');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PlanCatalog) private readonly catalog: PlanCatalog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cwd = process.cwd();
    // Validated with the rest of the configuration; only this feature knows what a plan file is.
    const setting = planFilesSetting(this.config.planFiles, cwd);
    await autoloadPlans({ store: this.store, catalog: this.catalog, logger: this.logger }, setting, cwd);
  }
}
