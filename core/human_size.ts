/** Sizes for people: `1.5MB`. @module */

/** `bytes` in decimal units with one decimal (`812B`, `1.5MB`), as `ls` and progress show them. */
export function humanSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let unit = 0;
  while (bytes >= 1000 && unit < units.length - 1) {
    bytes /= 1000;
    unit++;
  }
  return `${unit ? bytes.toFixed(1) : Math.round(bytes)}${units[unit]}`;
}
