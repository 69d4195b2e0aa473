/** What `npm start` prints once the server listens: the URL, a ready-to-use admin token and curl examples. */
import type { Config } from './config/config.schema.js';
import type { App } from './app.js';
import { signDevToken } from './auth/jwt.js';

export async function demoBanner(config: Config, url: string, _app: App): Promise<void> {
  const base = url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1');
  const token = config.jwtSecret
    ? await signDevToken({
        secret: config.jwtSecret,
        roles: ['enterprise_admin:*', 'enterprise_provisioning_admin:*'],
        administrator: true,
        username: 'demo-admin',
        ttlSeconds: 30 * 24 * 3600,
        issuer: config.jwtIssuer,
        audience: config.jwtAudience,
      })
    : null;
  const lines = [
    '',
    `enterprise-catalog is listening on ${base}`,
    `  API docs:   ${base}/api-docs/`,
    `  health:     ${base}/health/`,
    '',
  ];
  if (token) {
    lines.push(
      'admin token (valid 30 days):',
      `  export TOKEN=${token}`,
      '',
      'try:',
      `  curl -s ${base}/health/`,
      `  curl -s -H "Authorization: JWT $TOKEN" "${base}/api/v1/enterprise-catalogs/"`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
