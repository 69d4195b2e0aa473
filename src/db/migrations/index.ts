/**
 * Every migration, in order. An explicit list (not a directory scan) so that bundling or a missing file can never
 * silently skip one. Names sort by date; never rename or edit a migration that has shipped — add a new one.
 */
import type { Migration } from 'kysely';
import * as foundation from './20261122_0001_foundation.js';
import * as catalog from './20261122_0002_catalog.js';
import * as refresh from './20261123_0001_refresh.js';
import * as contentActive from './20261123_0002_content_active.js';
import * as channels from './20261124_0001_channels.js';
import * as contentSourceHash from './20261125_0001_content_source_hash.js';
import * as taskSubjectIndex from './20261126_0001_task_subject_index.js';

export const migrations: Record<string, Migration> = {
  '20261122_0001_foundation': foundation,
  '20261122_0002_catalog': catalog,
  '20261123_0001_refresh': refresh,
  '20261123_0002_content_active': contentActive,
  '20261124_0001_channels': channels,
  '20261125_0001_content_source_hash': contentSourceHash,
  '20261126_0001_task_subject_index': taskSubjectIndex,
};
