/** `value` rounded to `digits` decimal places, for numbers written to JSON. Pure. */
export function roundTo(value: number, digits: number): number {
  return Math.round(value * 10 ** digits) / 10 ** digits;
}
