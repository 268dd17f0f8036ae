/** The console adapter: run ChainOps in a terminal, no chat account needed. */
export { ConsoleChat, type ConsoleChatOptions } from './console-chat.ts';
export { startConsole, runOnce, type ConsoleOptions, type ConsoleSession, type RunOnceOptions } from './console-session.ts';
export { renderText, type RenderTextOptions } from './text-renderer.ts';
export { shouldColor, streamWidth } from './ansi.ts';
