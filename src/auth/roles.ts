/**
 * Roles and permissions as the Open edX services define them. A JWT carries `roles: ["<system_role>:<context>"]`
 * (context = an enterprise UUID or `*`); system roles map to feature roles exactly as enterprise-catalog's
 * SYSTEM_TO_FEATURE_ROLE_MAPPING does. Contexts compare as exact strings, as upstream.
 */
export const FEATURE_ROLES = {
  catalogAdmin: 'enterprise_catalog_admin',
  learner: 'enterprise_learner',
  provisioningAdmin: 'enterprise_catalog_provisioning_admin',
} as const;
export type FeatureRole = (typeof FEATURE_ROLES)[keyof typeof FEATURE_ROLES];

export const SYSTEM_TO_FEATURE_ROLES: Readonly<Record<string, readonly FeatureRole[]>> = {
  enterprise_catalog_admin: [FEATURE_ROLES.catalogAdmin],
  enterprise_openedx_operator: [FEATURE_ROLES.catalogAdmin],
  enterprise_learner: [FEATURE_ROLES.learner],
  enterprise_admin: [FEATURE_ROLES.learner, FEATURE_ROLES.catalogAdmin],
  enterprise_provisioning_admin: [FEATURE_ROLES.provisioningAdmin],
};

export const ANY_CONTEXT = '*';

/** Who is calling, derived from verified JWT claims. */
export interface AuthContext {
  /** `preferred_username`, else `sub`. */
  username: string;
  /** JWT `administrator: true`: passes every permission check. */
  isSuperuser: boolean;
  /** Feature role → contexts it applies to (`*` = every enterprise). */
  roles: ReadonlyMap<FeatureRole, ReadonlySet<string>>;
}

/** Parse the `roles` claim. Unknown system roles and malformed entries are ignored, as upstream does. */
export function featureRolesFromClaim(claim: unknown): Map<FeatureRole, Set<string>> {
  const out = new Map<FeatureRole, Set<string>>();
  if (!Array.isArray(claim)) return out;
  for (const entry of claim) {
    if (typeof entry !== 'string') continue;
    // Split on the first colon only: "<role>:<context>"; a role without context applies to no enterprise.
    const i = entry.indexOf(':');
    const system = i < 0 ? entry : entry.slice(0, i);
    const context = i < 0 ? '' : entry.slice(i + 1);
    for (const feature of SYSTEM_TO_FEATURE_ROLES[system] ?? []) {
      let set = out.get(feature);
      if (!set) out.set(feature, (set = new Set()));
      if (context !== '') set.add(context);
    }
  }
  return out;
}

export function authContextFromClaims(claims: Record<string, unknown>): AuthContext {
  const username =
    typeof claims.preferred_username === 'string' && claims.preferred_username !== ''
      ? claims.preferred_username
      : typeof claims.sub === 'string'
        ? claims.sub
        : 'anonymous';
  return { username, isSuperuser: claims.administrator === true, roles: featureRolesFromClaim(claims.roles) };
}

function hasRoleFor(ctx: AuthContext, role: FeatureRole, enterprise: string | null | undefined): boolean {
  if (!enterprise) return false; // an empty context never matches, as upstream
  const contexts = ctx.roles.get(role);
  return !!contexts && (contexts.has(ANY_CONTEXT) || contexts.has(enterprise));
}

/** `catalog.has_admin_access(enterprise)`. */
export function hasAdminAccess(ctx: AuthContext, enterprise: string | null | undefined): boolean {
  return ctx.isSuperuser || hasRoleFor(ctx, FEATURE_ROLES.catalogAdmin, enterprise);
}

/** `catalog.has_learner_access(enterprise)`: learners, and admins (admin implies learner). */
export function hasLearnerAccess(ctx: AuthContext, enterprise: string | null | undefined): boolean {
  return hasAdminAccess(ctx, enterprise) || hasRoleFor(ctx, FEATURE_ROLES.learner, enterprise);
}

/** `catalog.has_provisioning_admin_access`: the role is enough, whatever its context. */
export function hasProvisioningAdminAccess(ctx: AuthContext): boolean {
  return ctx.isSuperuser || ctx.roles.has(FEATURE_ROLES.provisioningAdmin);
}

/** Enterprises the caller administers: `'*'` for all (superuser or wildcard), else the explicit set. */
export function adminContexts(ctx: AuthContext): '*' | ReadonlySet<string> {
  if (ctx.isSuperuser) return ANY_CONTEXT;
  const set = ctx.roles.get(FEATURE_ROLES.catalogAdmin) ?? new Set<string>();
  return set.has(ANY_CONTEXT) ? ANY_CONTEXT : set;
}

/** Enterprises the caller may read as a learner or admin. */
export function learnerContexts(ctx: AuthContext): '*' | ReadonlySet<string> {
  const admin = adminContexts(ctx);
  if (admin === ANY_CONTEXT) return ANY_CONTEXT;
  const learner = ctx.roles.get(FEATURE_ROLES.learner) ?? new Set<string>();
  if (learner.has(ANY_CONTEXT)) return ANY_CONTEXT;
  return new Set([...admin, ...learner]);
}
