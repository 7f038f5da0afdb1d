/**
 * The verdict vocabulary for the renderer: the engine's own module, re-exported. It is the one value import
 * app/common takes from engine/ (eslint.config.js allows exactly this file, and forbids it any import), so the
 * app, the CLI and the reports word, colour and threshold every verdict with the same functions.
 */
export * from '../../engine/detect/verdict.ts';
