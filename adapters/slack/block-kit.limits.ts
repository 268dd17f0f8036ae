/**
 * Slack's documented Block Kit limits (docs.slack.dev → Block Kit reference). Anything past them is
 * rejected with `invalid_blocks`, so the renderer trims to these numbers before posting.
 */
export const LIMITS = {
  /** Blocks per message (chat.postMessage / chat.update / response_url). */
  blocksPerMessage: 50,
  /** Blocks per modal or App Home view. */
  blocksPerView: 100,
  /** `text` of a section block. */
  sectionText: 3_000,
  /** Header blocks take plain_text only. */
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2_000,
  /** Elements in one context block, and its text objects. */
  contextElements: 10,
  contextText: 3_000,
  /** Elements in one actions block. */
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  blockId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /**
   * Slack truncates `text` past 40 000 chars but notifications show only the start; 4 000 is the
   * length Slack recommends for the top-level `text`.
   */
  fallbackText: 4_000,
  /**
   * Slack answers `msg_blocks_too_long` for messages whose blocks are individually valid but large
   * together; it does not publish the number. Reports put the cliff near 13 200 chars of text
   * (slackapi/bolt-js#2509), so we stay under 12 000 chars of serialised block JSON.
   */
  blocksJson: 12_000,
} as const;

/** Shortest text worth keeping when the size guard shrinks a block. */
export const MIN_SHRUNK_TEXT = 400;
