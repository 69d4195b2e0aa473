/** HTTP routes of the refresh module: upstream's `refresh_metadata` and the task status extension. */
import { Type } from 'typebox';
import type { AppContext, HttpApp } from '../app-context.js';
import { authOf, authenticatedScope, methodNotAllowed } from '../catalog/catalog-http.js';
import { readTask, requestCatalogRefresh } from './refresh.service.js';

const Detail = Type.Object({ detail: Type.String() });
const CatalogParams = Type.Object({ uuid: Type.String() });
const RefreshAccepted = Type.Object({ async_task_id: Type.String({ description: 'Poll GET /api/v1/tasks/{id}/ for the outcome' }) });
const TaskParams = Type.Object({ id: Type.String() });
const TaskView = Type.Object({
  task_id: Type.String(),
  state: Type.Union([Type.Literal('PENDING'), Type.Literal('STARTED'), Type.Literal('SUCCESS'), Type.Literal('FAILURE')]),
  result: Type.Unknown({ description: 'The refresh outcome once finished: run id, status, refusal reason, counts' }),
});

const REFRESH_PATH = '/api/v1/enterprise-catalogs/:uuid/refresh_metadata/';

/** Every route requires a valid JWT (401 before anything else), as upstream's views do. */
export async function registerRefreshRoutes(app: HttpApp, ctx: AppContext): Promise<void> {
  await authenticatedScope(app, ctx, (scope) => {
    scope.post(
      REFRESH_PATH,
      {
        schema: {
          tags: ['enterprise-catalogs'],
          summary: "Refresh the catalog's content from discovery (asynchronously)",
          description:
            "Queues a refresh of the catalog's query (coalesced with one already queued) and answers at once. Admins of the catalog's customer only.",
          params: CatalogParams,
          response: { 200: RefreshAccepted, 401: Detail, 403: Detail, 404: Detail, 422: Detail },
        },
      },
      async (req) => requestCatalogRefresh(ctx.db, ctx.jobs, authOf(req), req.params.uuid),
    );
    // Upstream's view accepts POST only.
    methodNotAllowed(scope, REFRESH_PATH, ['POST']);

    scope.get(
      '/api/v1/tasks/:id/',
      {
        schema: {
          tags: ['tasks'],
          summary: 'State of an asynchronous task (e.g. a refresh_metadata request)',
          description: 'Visible to the caller who started the task and to admins of its customer.',
          params: TaskParams,
          response: { 200: TaskView, 401: Detail, 404: Detail },
        },
      },
      async (req) => readTask(ctx.db, authOf(req), req.params.id),
    );
  });
}
