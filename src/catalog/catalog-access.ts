/**
 * Permission checks of the catalog API, with upstream's denial bodies. Services call these; routes never decide
 * access. Contexts are compared as exact strings, as edx-rbac does (reference §5).
 */
import {
  adminContexts,
  ANY_CONTEXT,
  hasAdminAccess,
  hasLearnerAccess,
  hasProvisioningAdminAccess,
  type AuthContext,
} from '../auth/roles.js';
import { AppError } from '../shared/errors.js';

export type CatalogPermission = 'catalog.has_learner_access' | 'catalog.has_admin_access';

/** edx-rbac's denial: 403 `{"detail": "MISSING: catalog.has_learner_access"}`. */
export function missingPermission(permission: CatalogPermission): AppError {
  return new AppError('forbidden', 'permission_denied', `MISSING: ${permission}`);
}

/** DRF's default denial (staff-only views such as `distinct-catalog-queries`). */
export function permissionDenied(): AppError {
  return new AppError('forbidden', 'permission_denied', 'You do not have permission to perform this action.');
}

export function requireLearnerAccess(auth: AuthContext, enterprise: string): void {
  if (!hasLearnerAccess(auth, enterprise)) throw missingPermission('catalog.has_learner_access');
}

/** Admin of `enterprise`; provisioning admins pass too where upstream lets them (CRUD except delete). */
export function requireAdminAccess(auth: AuthContext, enterprise: string, opts: { provisioning?: boolean } = {}): void {
  if (opts.provisioning === true && hasProvisioningAdminAccess(auth)) return;
  if (!hasAdminAccess(auth, enterprise)) throw missingPermission('catalog.has_admin_access');
}

/**
 * Enterprises whose catalogs the caller may list as an administrator: `'*'` for superusers, wildcard admins and
 * provisioning admins; otherwise the explicit set (possibly empty).
 */
export function adminScope(auth: AuthContext): '*' | readonly string[] {
  if (hasProvisioningAdminAccess(auth)) return ANY_CONTEXT;
  const contexts = adminContexts(auth);
  return contexts === ANY_CONTEXT ? ANY_CONTEXT : [...contexts];
}

/**
 * The identity in-process callers (the channel exporter, jobs) use: a superuser, so every check passes.
 * Never derived from a request.
 */
export const SYSTEM_ACTOR: AuthContext = Object.freeze({
  username: 'system',
  isSuperuser: true,
  roles: new Map(),
});
