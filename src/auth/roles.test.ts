import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminContexts,
  authContextFromClaims,
  featureRolesFromClaim,
  hasAdminAccess,
  hasLearnerAccess,
  hasProvisioningAdminAccess,
  learnerContexts,
} from './roles.js';

const E1 = '11111111-1111-4111-8111-111111111111';
const E2 = '22222222-2222-4222-8222-222222222222';
const EA = 'abcdefab-cdef-4abc-8def-abcdefabcdef';

describe('role mapping (as upstream SYSTEM_TO_FEATURE_ROLE_MAPPING)', () => {
  const table: [string, string[]][] = [
    ['enterprise_catalog_admin', ['enterprise_catalog_admin']],
    ['enterprise_openedx_operator', ['enterprise_catalog_admin']],
    ['enterprise_learner', ['enterprise_learner']],
    ['enterprise_admin', ['enterprise_learner', 'enterprise_catalog_admin']],
    ['enterprise_provisioning_admin', ['enterprise_catalog_provisioning_admin']],
    ['some_other_role', []],
  ];
  for (const [system, features] of table) {
    test(`${system} → ${features.join(', ') || 'nothing'}`, () => {
      const roles = featureRolesFromClaim([`${system}:${E1}`]);
      assert.deepEqual([...roles.keys()].sort(), [...features].sort());
      for (const f of features) assert.deepEqual([...(roles.get(f as never) ?? [])], [E1]);
    });
  }

  test('splits on the first colon only and ignores junk', () => {
    const roles = featureRolesFromClaim(['enterprise_learner:a:b', 42, null, 'enterprise_admin']);
    assert.deepEqual([...(roles.get('enterprise_learner') ?? [])], ['a:b']);
    assert.deepEqual([...(roles.get('enterprise_catalog_admin') ?? [])], []);
    assert.equal(featureRolesFromClaim('not a list').size, 0);
  });
});

describe('permissions', () => {
  const ctx = (roles: string[], administrator = false) => authContextFromClaims({ roles, administrator, preferred_username: 'u' });
  const cases: { name: string; roles: string[]; admin?: boolean; enterprise: string; adminAccess: boolean; learnerAccess: boolean }[] = [
    { name: 'admin of E1 on E1', roles: [`enterprise_admin:${E1}`], enterprise: E1, adminAccess: true, learnerAccess: true },
    { name: 'admin of E1 on E2', roles: [`enterprise_admin:${E1}`], enterprise: E2, adminAccess: false, learnerAccess: false },
    { name: 'learner of E1 on E1', roles: [`enterprise_learner:${E1}`], enterprise: E1, adminAccess: false, learnerAccess: true },
    { name: 'catalog admin * on E2', roles: ['enterprise_catalog_admin:*'], enterprise: E2, adminAccess: true, learnerAccess: true },
    { name: 'learner * on E2', roles: ['enterprise_learner:*'], enterprise: E2, adminAccess: false, learnerAccess: true },
    { name: 'operator of E2', roles: [`enterprise_openedx_operator:${E2}`], enterprise: E2, adminAccess: true, learnerAccess: true },
    { name: 'superuser, no roles', roles: [], admin: true, enterprise: E2, adminAccess: true, learnerAccess: true },
    { name: 'unrelated role', roles: [`some_role:${E1}`], enterprise: E1, adminAccess: false, learnerAccess: false },
    { name: 'provisioning admin only', roles: ['enterprise_provisioning_admin:*'], enterprise: E1, adminAccess: false, learnerAccess: false },
    { name: 'case differs (exact string compare)', roles: [`enterprise_admin:${EA.toUpperCase()}`], enterprise: EA, adminAccess: false, learnerAccess: false },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const a = ctx(c.roles, c.admin ?? false);
      assert.equal(hasAdminAccess(a, c.enterprise), c.adminAccess);
      assert.equal(hasLearnerAccess(a, c.enterprise), c.learnerAccess);
    });
  }

  test('an empty context never grants access', () => {
    const a = ctx(['enterprise_admin:*']);
    assert.equal(hasAdminAccess(a, ''), false);
    assert.equal(hasLearnerAccess(a, null), false);
  });

  test('provisioning admin needs the role, any context', () => {
    assert.equal(hasProvisioningAdminAccess(ctx(['enterprise_provisioning_admin'])), true);
    assert.equal(hasProvisioningAdminAccess(ctx([`enterprise_provisioning_admin:${E1}`])), true);
    assert.equal(hasProvisioningAdminAccess(ctx([`enterprise_admin:${E1}`])), false);
  });

  test('context sets for list views', () => {
    assert.equal(adminContexts(ctx(['enterprise_admin:*'])), '*');
    assert.equal(adminContexts(ctx([], true)), '*');
    assert.deepEqual([...(adminContexts(ctx([`enterprise_admin:${E1}`, `enterprise_learner:${E2}`])) as Set<string>)], [E1]);
    assert.deepEqual(
      [...(learnerContexts(ctx([`enterprise_admin:${E1}`, `enterprise_learner:${E2}`])) as Set<string>)].sort(),
      [E1, E2].sort(),
    );
    assert.equal(learnerContexts(ctx(['enterprise_learner:*'])), '*');
  });

  test('username from preferred_username, else sub', () => {
    assert.equal(authContextFromClaims({ preferred_username: 'pat', sub: 'x' }).username, 'pat');
    assert.equal(authContextFromClaims({ sub: 'x' }).username, 'x');
  });
});
