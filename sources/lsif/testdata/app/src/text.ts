/** Joins lines with newlines. */
export function lines(...parts: string[]): string {
  return parts.join('\n');
}
