// LDAP sign-in through the login form, against the throwaway OpenLDAP directory that scripts/console.sh starts
// (ATRIUM_E2E_LDAP_USER, _PASSWORD and _GROUP: a user with mail USER@example.com, member of that LDAP group).
// The admin first maps the LDAP group to an Atrium group (spec.ldapGroup) bound to platform-auditor. A wrong
// directory password is refused on the form, leaves no session and provisions nobody; the directory password signs
// in, the user is provisioned with spec.source "ldap", and through the mapped group they are a platform auditor
// (the topbar lists the group, the Audit log is theirs to read). The admin's Users page shows them as LDAP users.
import { check, eventually, mainPage, newUserContext, signIn } from './lib.mjs';

export async function ldapLogin(suite) {
  const ldap = suite.ldap;
  check(ldap, 'ATRIUM_E2E_LDAP_USER, ATRIUM_E2E_LDAP_PASSWORD and ATRIUM_E2E_LDAP_GROUP are not set ' +
    '(scripts/console.sh e2e starts the directory and sets them)');
  const group = `${suite.names.workspace}-ldap`;
  suite.created.ldapUser = ldap.user;
  await suite.api.ok('POST', '/api/v1/groups', {
    apiVersion: 'iam.atrium.io/v1', kind: 'Group', metadata: { name: group }, spec: { ldapGroup: ldap.group },
  });
  suite.created.ldapGroup = group;
  await suite.api.ok('POST', '/api/v1/members', { group, role: 'platform-auditor' });

  const context = await newUserContext(suite);
  suite.contexts.ldap = context;
  const page = await context.newPage();
  const whoami = () => page.evaluate(async () => {
    const r = await fetch('/api/v1/whoami');
    return { status: r.status, body: r.ok ? await r.json() : null };
  });

  // The directory user with a wrong password: the form's error, no cookie, no session, nobody provisioned.
  await page.goto('/login');
  await page.getByLabel('User name').fill(ldap.user);
  await page.getByLabel('Password').fill(`${ldap.password}-wrong`);
  const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/login'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  check((await refused).status() === 401, `the wrong directory password answered HTTP ${(await refused).status()}`);
  await mainPage(suite, page, 'login-ldap-refused', page.getByRole('alert').filter({ hasText: 'The user name or password is wrong.' }));
  check(new URL(page.url()).pathname === '/login', `a refused login went to ${page.url()}`);
  check((await context.cookies()).length === 0, `a refused login set cookies: ${(await context.cookies()).map((c) => c.name)}`);
  check((await whoami()).status === 401, 'a refused login left a session');
  const none = await suite.api.call('GET', `/api/v1/users/${ldap.user}`);
  check(none.status === 404, `a refused login provisioned ${ldap.user} (HTTP ${none.status})`);

  // The directory password: signed in, welcomed, and a member of the mapped group.
  await signIn(page, ldap.user, ldap.password);
  await mainPage(suite, page, 'overview-ldap', page.getByRole('heading', { name: `Welcome, ${ldap.user}` }));
  await page.getByText(`Signed in as ${ldap.user}`).waitFor({ state: 'attached' });
  const me = await whoami();
  check(me.status === 200 && me.body.user === ldap.user && me.body.groups.includes(group),
    `whoami of the LDAP user: HTTP ${me.status} ${JSON.stringify(me.body)}`);
  await eventually('the topbar to list the mapped group', async () =>
    (await page.locator('.topbar [title^="Groups:"]').getAttribute('title'))?.includes(group));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await mainPage(suite, page, 'platform-audit-ldap', page.getByRole('heading', { name: 'Audit log', exact: true }));

  // What the admin sees: the user provisioned from the directory.
  const user = await suite.api.ok('GET', `/api/v1/users/${ldap.user}`);
  check(user.spec.source === 'ldap', `spec.source of ${ldap.user} is ${user.spec.source}`);
  check(user.spec.ldapDN?.startsWith(`uid=${ldap.user},`), `spec.ldapDN of ${ldap.user} is ${user.spec.ldapDN}`);
  check(user.spec.email === `${ldap.user}@example.com`, `spec.email of ${ldap.user} is ${user.spec.email}`);
  check(user.status?.ldapGroups?.includes(ldap.group) && user.status?.lastLoginTime,
    `status of ${ldap.user}: ${JSON.stringify(user.status)}`);
  const admin = await newUserContext(suite);
  suite.contexts.ldapAdmin = admin;
  const adminPage = await admin.newPage();
  await signIn(adminPage, 'admin', suite.adminPassword);
  await adminPage.goto('/platform/users');
  const row = adminPage.getByRole('row').filter({ has: adminPage.getByRole('cell', { name: ldap.user, exact: true }) });
  await mainPage(suite, adminPage, 'platform-users-ldap', row.getByRole('cell', { name: 'LDAP', exact: true }));
  check((await row.getByRole('button', { name: `Set password for ${ldap.user}` }).count()) === 0,
    'the Users page offers to set the password of an LDAP user');
  await admin.close();
  await context.close();
}
