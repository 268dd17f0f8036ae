/** A fleet file as fetched from its source, not yet validated. */
export interface FetchedFleet {
  text: string;
  /** Content revision: the first 12 hex digits of sha256(text); what `sync apply <rev>` names. */
  rev: string;
  /** Git commit the text came from, when the source is a repository. */
  commit?: string;
}

/** Where the desired fleet comes from: the fleet file on disk, or a file in a git repository at a ref. */
export interface FleetSource {
  /** Stable identity (`file:/abs/path`, `git:<url>#<ref>:<path>`); a synced fleet is only used by views of the same source. */
  readonly id: string;
  readonly kind: 'file' | 'git';
  /** git only: the branch, tag or commit followed (what a push webhook's `ref` is matched against). */
  readonly ref?: string;
  /** For people: `git https://…/fleet.git main:chainops.yaml`. */
  describe(): string;
  /** Read (or pull) the current text. Throws an error whose message says what to fix. */
  fetch(): Promise<FetchedFleet>;
}
