import type { PromotionControl, PromotionRecord } from '../promotion/promotion.record.ts';

/** Durable promotion state: records (fenced checkpoints), one active promotion per group, control requests. */
export interface PromotionStore {
  get(id: string): Promise<PromotionRecord | undefined>;
  /**
   * Store a new promotion and make it its group's active one, unless the group already has an active
   * promotion: then nothing is written and its id is returned.
   */
  create(record: PromotionRecord): Promise<{ ok: true } | { ok: false; active: string }>;
  /**
   * A tick's checkpoint, fenced: written only if no tick with a larger fencing token wrote this
   * promotion (false otherwise). A terminal record frees its group for the next promotion.
   */
  saveFenced(record: PromotionRecord, token: number): Promise<boolean>;
  /** The group's running or paused promotion, if any. */
  activeId(group: string): Promise<string | undefined>;
  /** Most recent promotions, newest first. */
  list(limit: number): Promise<PromotionRecord[]>;
  /** Ask the promotion to pause, resume or abort at its next tick (the latest request wins; abort sticks). */
  requestControl(id: string, control: PromotionControl): Promise<void>;
  getControl(id: string): Promise<PromotionControl | undefined>;
}
