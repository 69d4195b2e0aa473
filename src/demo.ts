/** What `npm start` prints once the server listens: the URL, a ready-to-use admin token and curl examples. */
import type { Config } from './config/config.schema.js';
import type { App } from './app.js';
import { signDevToken } from './auth/jwt.js';
import { seedDemo } from './refresh/demo-seed.js';

export async function demoBanner(config: Config, url: string, app: App): Promise<void> {
  // Demo customer and catalogs, refreshed from the content source, so the examples below return real content.
  const demo = await seedDemo(app.ctx);
  const [courses, , programs] = demo.catalogs;
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
    `demo customer ${demo.customerUuid} with ${demo.catalogs.length} catalogs:`,
    ...demo.catalogs.map((c) => `  ${c.uuid}  ${c.title}`),
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
      ...(courses ? [`  curl -s -H "Authorization: JWT $TOKEN" "${base}/api/v1/enterprise-catalogs/${courses.uuid}/get_content_metadata/"`] : []),
      ...(courses && demo.sampleCourseKey
        ? [`  curl -s -H "Authorization: JWT $TOKEN" "${base}/api/v1/enterprise-catalogs/${courses.uuid}/contains_content_items/?course_run_ids=${encodeURIComponent(demo.sampleCourseKey)}"`]
        : []),
      ...(programs ? [`  curl -s -X POST -H "Authorization: JWT $TOKEN" "${base}/api/v1/enterprise-catalogs/${programs.uuid}/refresh_metadata/"`] : []),
      `  curl -s -H "Authorization: JWT $TOKEN" "${base}/api/v1/tasks/<async_task_id>/"`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
