/** Dotted paths into option values, matching the server's issue `field`s ("rules.0.path"). */
export function joinPath(parent: string, key: string | number): string {
  return parent ? `${parent}.${key}` : String(key);
}
