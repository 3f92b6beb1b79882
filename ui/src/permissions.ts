import type { Channel, Role, Version } from './api/types';

/**
 * What the signed-in principal may do, as the registry decides it (README, Auth): the
 * UI offers only these actions, and the registry still checks every request.
 */
export function canAssign(role: Role | undefined, channel?: Channel): boolean {
  if (role !== 'contributor' && role !== 'admin') return false;
  if (!channel) return true;
  return !channel.managed && (!channel.restricted || role === 'admin');
}

export function canRevoke(role: Role | undefined): boolean {
  return role === 'admin';
}

/** Complete and not revoked: what a channel may point at. */
export function isAssignable(version: Version): boolean {
  return version.status === 'VERSION_ACTIVE' || version.status === 'VERSION_REVOCATION_SCHEDULED';
}
