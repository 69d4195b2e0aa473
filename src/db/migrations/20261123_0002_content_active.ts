import { sql, type Kysely } from 'kysely';

/**
 * `content_metadata.is_active`: the "active" rule of `get_content_metadata` (reference §2.4) stored with the row, so
 * a catalog's listing can be filtered, counted and paginated in SQL without reading every member's JSON.
 *
 * A course is active when one of its `json_metadata.course_runs` is enrollable and (marketable externally, or
 * published and marketable), with Python truthiness; every other content type is active. A trigger keeps the
 * column right on every insert and on updates of `content_type` / `json_metadata`, whoever writes the row.
 * `ecat_content_is_active` is the same rule as `isContentActive` in `src/catalog/content-presenter.ts` (a test
 * checks that they agree); it is written out here, not generated, because a migration must never change.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ecat_json_truthy(v jsonb) returns boolean
    language sql immutable
    as $$
      select coalesce(v not in ('null'::jsonb, 'false'::jsonb, '0'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)
    $$;

    create function ecat_content_is_active(content_type text, json_metadata jsonb) returns boolean
    language sql immutable
    as $$
      select content_type <> 'course' or exists (
        select 1
        from jsonb_array_elements(
          case when jsonb_typeof(json_metadata -> 'course_runs') = 'array' then json_metadata -> 'course_runs' else '[]'::jsonb end
        ) as run(value)
        where ecat_json_truthy(run.value -> 'is_enrollable')
          and (
            ecat_json_truthy(run.value -> 'is_marketable_external')
            or (
              jsonb_typeof(run.value -> 'status') = 'string'
              and lower(run.value ->> 'status') = 'published'
              and ecat_json_truthy(run.value -> 'is_marketable')
            )
          )
      )
    $$;

    alter table content_metadata add column is_active boolean not null default true;
    update content_metadata set is_active = ecat_content_is_active(content_type, json_metadata);

    create function content_metadata_set_active() returns trigger
    language plpgsql
    as $$
    begin
      new.is_active := ecat_content_is_active(new.content_type, new.json_metadata);
      return new;
    end
    $$;

    create trigger content_metadata_active
      before insert or update of content_type, json_metadata on content_metadata
      for each row execute function content_metadata_set_active();
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    drop trigger content_metadata_active on content_metadata;
    drop function content_metadata_set_active();
    alter table content_metadata drop column is_active;
    drop function ecat_content_is_active(text, jsonb);
    drop function ecat_json_truthy(jsonb);
  `.execute(db);
}
