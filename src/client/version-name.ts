/**
 * HCP names an incomplete version "v0" (Packer's internal/hcp/api/service_version.go);
 * older Ingot registries left it "". Pure and import-free: the web console uses it too.
 */
export function isCompleteName(name: string | undefined): boolean {
  return !!name && name !== 'v0';
}

/** The version's name when it has one, else `fallback` (its fingerprint, "incomplete"…). */
export function nameOr(name: string | undefined, fallback: string): string {
  return isCompleteName(name) ? (name as string) : fallback;
}
