/**
 * Wire shapes of the course-discovery endpoints enterprise-catalog reads (reference: course-discovery.md §3).
 *
 * Two kinds of schema live here:
 * - the **full shapes** our simulator and sample source emit (`CourseHit`, `Course`, `ProgramExtended`, …). Tests
 *   validate every simulator response against them, and the presenters' return types are inferred from them;
 * - the **minimum contracts** the HTTP source checks on whatever a real upstream sends (`*Contract`): only the
 *   fields the refresh pipeline cannot do without, every other field passes through untouched. Real discovery data
 *   varies too much across versions to reject a page over an optional field.
 */
import { Type, type Static, type TSchema } from 'typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** `YYYY-MM-DDTHH:MM:SSZ`, optionally with fractional seconds (DRF emits microseconds on `modified`). */
export const DateTimeString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z$' });
/** Decimal prices are strings in seats and entitlements (`"99.00"`). */
export const DecimalString = Type.String({ pattern: '^\\d+\\.\\d{2}$' });

export const ContentTypeName = Type.Union([
  Type.Literal('course'),
  Type.Literal('courserun'),
  Type.Literal('program'),
  Type.Literal('learnerpathway'),
  Type.Literal('person'),
]);
export type ContentTypeName = Static<typeof ContentTypeName>;

export const Skill = Type.Object({
  name: Type.String(),
  description: Type.String(),
  category: Nullable(Type.Object({ name: Type.String() })),
  subcategory: Nullable(Type.Object({ name: Type.String(), category: Type.Object({ name: Type.String() }) })),
});

export const Organization = Type.Object({
  uuid: Type.String(),
  key: Type.String(),
  name: Type.String(),
  auto_generate_course_run_keys: Type.Boolean(),
  certificate_logo_image_url: Nullable(Type.String()),
  logo_image_url: Nullable(Type.String()),
  organization_hex_color: Nullable(Type.String()),
  data_modified_timestamp: DateTimeString,
  description: Type.String(),
  description_es: Type.String(),
  homepage_url: Nullable(Type.String()),
  tags: Type.Array(Type.String()),
  marketing_url: Nullable(Type.String()),
  slug: Type.String(),
  banner_image_url: Nullable(Type.String()),
  enterprise_subscription_inclusion: Type.Boolean(),
});

// ---------------------------------------------------------------------------------------------------------------
// search/all hits (§3.2–3.5)
// ---------------------------------------------------------------------------------------------------------------

/** A run nested in a course hit: no `uuid`, `seats` or `is_marketable` (those come from `/courses/`). */
export const CourseHitRun = Type.Object({
  key: Type.String(),
  enrollment_start: Nullable(DateTimeString),
  enrollment_end: Nullable(DateTimeString),
  go_live_date: Nullable(DateTimeString),
  start: Nullable(DateTimeString),
  end: Nullable(DateTimeString),
  modified: DateTimeString,
  availability: Type.String(),
  status: Type.String(),
  pacing_type: Type.String(),
  enrollment_mode: Nullable(Type.String()),
  min_effort: Nullable(Type.Integer()),
  max_effort: Nullable(Type.Integer()),
  weeks_to_complete: Nullable(Type.Integer()),
  estimated_hours: Type.Number(),
  first_enrollable_paid_seat_price: Type.Number(),
  is_enrollable: Type.Boolean(),
  restriction_type: Nullable(Type.String()),
  fixed_price_usd: Nullable(Type.Number()),
});

export const CourseHit = Type.Object({
  aggregation_key: Type.String(),
  content_type: Type.Literal('course'),
  key: Type.String(),
  uuid: Type.String(),
  title: Type.String(),
  short_description: Nullable(Type.String()),
  full_description: Nullable(Type.String()),
  card_image_url: Nullable(Type.String()),
  image_url: Nullable(Type.String()),
  course_runs: Type.Array(CourseHitRun),
  seat_types: Type.Array(Type.String()),
  skill_names: Type.Array(Type.String()),
  skills: Type.Array(Skill),
  end_date: Nullable(DateTimeString),
  course_ends: Type.String(),
  subjects: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  organizations: Type.Array(Type.String()),
  course_type: Nullable(Type.String()),
  course_length: Nullable(Type.String()),
  enterprise_subscription_inclusion: Type.Boolean(),
  external_course_marketing_type: Nullable(Type.String()),
  product_source: Nullable(Type.String()),
});
export type CourseHit = Static<typeof CourseHit>;

export const CourseRunHit = Type.Object({
  aggregation_key: Type.String(),
  content_type: Type.Literal('courserun'),
  key: Type.String(),
  number: Type.String(),
  org: Type.String(),
  partner: Type.String(),
  title: Type.String(),
  short_description: Nullable(Type.String()),
  full_description: Nullable(Type.String()),
  image_url: Nullable(Type.String()),
  marketing_url: Nullable(Type.String()),
  authoring_organization_uuids: Type.Array(Type.String()),
  logo_image_urls: Type.Array(Type.String()),
  staff_uuids: Type.Array(Type.String()),
  subject_uuids: Type.Array(Type.String()),
  start: Nullable(DateTimeString),
  end: Nullable(DateTimeString),
  enrollment_start: Nullable(DateTimeString),
  enrollment_end: Nullable(DateTimeString),
  go_live_date: Nullable(DateTimeString),
  availability: Type.String(),
  has_enrollable_seats: Type.Boolean(),
  is_enrollable: Type.Boolean(),
  first_enrollable_paid_seat_price: Nullable(Type.Integer()),
  first_enrollable_paid_seat_sku: Nullable(Type.String()),
  seat_types: Type.Array(Type.String()),
  type: Nullable(Type.String()),
  fixed_price_usd: Nullable(Type.Number()),
  restriction_type: Nullable(Type.String()),
  level_type: Nullable(Type.String()),
  language: Nullable(Type.String()),
  transcript_languages: Type.Array(Type.String()),
  pacing_type: Type.String(),
  min_effort: Nullable(Type.Integer()),
  max_effort: Nullable(Type.Integer()),
  weeks_to_complete: Nullable(Type.Integer()),
  mobile_available: Type.Boolean(),
  program_types: Type.Array(Type.String()),
  published: Type.Boolean(),
  skill_names: Type.Array(Type.String()),
  skills: Type.Array(Skill),
});
export type CourseRunHit = Static<typeof CourseRunHit>;

export const ProgramHit = Type.Object({
  aggregation_key: Type.String(),
  content_type: Type.Literal('program'),
  uuid: Type.String(),
  title: Type.String(),
  subtitle: Type.String(),
  type: Type.String(),
  status: Type.String(),
  published: Type.Boolean(),
  hidden: Type.Boolean(),
  partner: Type.String(),
  marketing_url: Nullable(Type.String()),
  card_image_url: Nullable(Type.String()),
  language: Type.Array(Type.String()),
  authoring_organizations: Type.Array(Organization),
  authoring_organization_uuids: Type.Array(Type.String()),
  subject_uuids: Type.Array(Type.String()),
  staff_uuids: Type.Array(Type.String()),
  skill_names: Type.Array(Type.String()),
  skills: Type.Array(Skill),
  min_hours_effort_per_week: Nullable(Type.Integer()),
  max_hours_effort_per_week: Nullable(Type.Integer()),
  weeks_to_complete_min: Nullable(Type.Integer()),
  weeks_to_complete_max: Nullable(Type.Integer()),
  is_program_eligible_for_one_click_purchase: Type.Boolean(),
  search_card_display: Type.Array(Type.String()),
  is_2u_degree_program: Type.Boolean(),
  excluded_from_search: Type.Boolean(),
  excluded_from_seo: Type.Boolean(),
});
export type ProgramHit = Static<typeof ProgramHit>;

const ImageSize = Type.Object({ url: Type.String(), width: Type.Integer(), height: Type.Integer() });

export const LearnerPathwayHit = Type.Object({
  aggregation_key: Type.String(),
  content_type: Type.Literal('learnerpathway'),
  uuid: Type.String(),
  title: Type.String(),
  status: Type.String(),
  overview: Type.String(),
  published: Type.Boolean(),
  visible_via_association: Type.Boolean(),
  created: DateTimeString,
  partner: Type.String(),
  skills: Type.Array(Skill),
  skill_names: Type.Array(Type.String()),
  banner_image: Type.Object({ large: ImageSize, medium: ImageSize, small: ImageSize }),
  card_image: Type.Object({ card: ImageSize }),
  steps: Type.Array(
    Type.Object({
      uuid: Type.String(),
      min_requirement: Type.Integer(),
      courses: Type.Array(
        Type.Object({
          key: Type.String(),
          course_runs: Type.Array(Type.Object({ key: Type.String() })),
          title: Type.String(),
          short_description: Nullable(Type.String()),
          card_image_url: Nullable(Type.String()),
          content_type: Type.Literal('course'),
        }),
      ),
      programs: Type.Array(
        Type.Object({
          uuid: Type.String(),
          title: Type.String(),
          short_description: Nullable(Type.String()),
          card_image_url: Nullable(Type.String()),
          content_type: Type.Literal('program'),
          courses: Type.Array(
            Type.Object({ key: Type.String(), course_runs: Type.Array(Type.Object({ key: Type.String() })) }),
          ),
        }),
      ),
    }),
  ),
});
export type LearnerPathwayHit = Static<typeof LearnerPathwayHit>;

/** Person documents live in the same index; real catalog filters nearly always exclude them via content_type. */
export const PersonHit = Type.Object({
  aggregation_key: Type.String(),
  content_type: Type.Literal('person'),
  uuid: Type.String(),
  full_name: Type.String(),
  bio: Type.String(),
  position: Nullable(Type.String()),
  organizations: Type.Array(Type.String()),
  profile_image_url: Nullable(Type.String()),
  partner: Type.String(),
});
export type PersonHit = Static<typeof PersonHit>;

export const SearchHit = Type.Union([CourseHit, CourseRunHit, ProgramHit, LearnerPathwayHit, PersonHit]);
export type SearchHit = Static<typeof SearchHit>;

// ---------------------------------------------------------------------------------------------------------------
// /courses/ (§3.6–3.7)
// ---------------------------------------------------------------------------------------------------------------

export const Seat = Type.Object({
  type: Type.String(),
  price: DecimalString,
  currency: Type.String(),
  upgrade_deadline: Nullable(DateTimeString),
  upgrade_deadline_override: Nullable(DateTimeString),
  credit_provider: Nullable(Type.String()),
  credit_hours: Nullable(Type.Integer()),
  sku: Nullable(Type.String()),
  bulk_sku: Nullable(Type.String()),
});

export const Image = Type.Object({
  src: Type.String(),
  description: Nullable(Type.String()),
  height: Nullable(Type.Integer()),
  width: Nullable(Type.Integer()),
});

export const Staff = Type.Object({
  uuid: Type.String(),
  given_name: Type.String(),
  family_name: Type.String(),
  bio: Type.String(),
  profile_image_url: Nullable(Type.String()),
  slug: Type.String(),
  position: Nullable(Type.Object({ title: Type.String(), organization_name: Type.String() })),
  areas_of_expertise: Type.Array(Type.String()),
  urls: Type.Object({}, { additionalProperties: true }),
  email: Nullable(Type.String()),
});

export const CourseRun = Type.Object({
  key: Type.String(),
  uuid: Type.String(),
  title: Type.String(),
  external_key: Nullable(Type.String()),
  course: Type.String(),
  course_uuid: Type.String(),
  variant_id: Nullable(Type.String()),
  image: Nullable(Image),
  short_description: Nullable(Type.String()),
  full_description: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  video: Nullable(Type.Object({ src: Type.String(), description: Nullable(Type.String()), image: Nullable(Image) })),
  marketing_url: Nullable(Type.String()),
  announcement: Nullable(DateTimeString),
  seats: Type.Array(Seat),
  first_enrollable_paid_seat_price: Nullable(Type.Integer()),
  fixed_price_usd: Nullable(DecimalString),
  start: Nullable(DateTimeString),
  end: Nullable(DateTimeString),
  go_live_date: Nullable(DateTimeString),
  enrollment_start: Nullable(DateTimeString),
  enrollment_end: Nullable(DateTimeString),
  weeks_to_complete: Nullable(Type.Integer()),
  pacing_type: Type.String(),
  min_effort: Nullable(Type.Integer()),
  max_effort: Nullable(Type.Integer()),
  estimated_hours: Type.Number(),
  type: Nullable(Type.String()),
  run_type: Type.String(),
  restriction_type: Nullable(Type.String()),
  status: Type.String(),
  is_enrollable: Type.Boolean(),
  is_marketable: Type.Boolean(),
  is_marketable_external: Type.Boolean(),
  availability: Type.String(),
  hidden: Type.Boolean(),
  reporting_type: Type.String(),
  content_language: Nullable(Type.String()),
  transcript_languages: Type.Array(Type.String()),
  content_language_search_facet_name: Nullable(Type.String()),
  transcript_languages_search_facet_names: Type.Array(Type.String()),
  ai_languages: Nullable(Type.Object({}, { additionalProperties: true })),
  staff: Type.Array(Staff),
  instructors: Type.Array(Type.Unknown()),
  license: Type.String(),
  modified: DateTimeString,
  level_type: Nullable(Type.String()),
  mobile_available: Type.Boolean(),
  eligible_for_financial_aid: Type.Boolean(),
  has_ofac_restrictions: Nullable(Type.Boolean()),
  ofac_comment: Type.String(),
  enrollment_count: Type.Integer(),
  recent_enrollment_count: Type.Integer(),
  expected_program_type: Nullable(Type.String()),
  expected_program_name: Type.String(),
  enterprise_subscription_inclusion: Type.Boolean(),
});
export type CourseRun = Static<typeof CourseRun>;

export const Subject = Type.Object({
  name: Type.String(),
  subtitle: Type.String(),
  description: Type.String(),
  banner_image_url: Nullable(Type.String()),
  card_image_url: Nullable(Type.String()),
  slug: Type.String(),
  uuid: Type.String(),
});

export const TypeAttrs = Type.Object({ uuid: Type.String(), slug: Type.String(), coaching_supported: Type.Boolean() });

export const CourseProgram = Type.Object({
  uuid: Type.String(),
  title: Type.String(),
  type: Type.String(),
  type_attrs: TypeAttrs,
  marketing_slug: Type.String(),
  marketing_url: Nullable(Type.String()),
  number_of_courses: Type.Integer(),
});

export const Entitlement = Type.Object({
  mode: Type.String(),
  price: DecimalString,
  currency: Type.String(),
  sku: Nullable(Type.String()),
  expires: Nullable(DateTimeString),
});

export const ProductSource = Type.Object({ name: Type.String(), slug: Type.String(), description: Type.String() });

export const Course = Type.Object({
  key: Type.String(),
  uuid: Type.String(),
  title: Type.String(),
  short_description: Nullable(Type.String()),
  full_description: Nullable(Type.String()),
  outcome: Nullable(Type.String()),
  syllabus_raw: Nullable(Type.String()),
  prerequisites_raw: Nullable(Type.String()),
  prerequisites: Type.Array(Type.Object({ name: Type.String() })),
  expected_learning_items: Type.Array(Type.String()),
  additional_information: Nullable(Type.String()),
  faq: Nullable(Type.String()),
  learner_testimonials: Nullable(Type.String()),
  extra_description: Nullable(Type.Unknown()),
  image: Nullable(Image),
  original_image: Nullable(Image),
  card_image_url: Nullable(Type.String()),
  video: Nullable(Type.Object({ src: Type.String(), description: Nullable(Type.String()), image: Nullable(Image) })),
  marketing_url: Nullable(Type.String()),
  url_slug: Type.String(),
  url_slug_history: Type.Array(Type.String()),
  url_redirects: Type.Array(Type.String()),
  course_runs: Type.Array(CourseRun),
  entitlements: Type.Array(Entitlement),
  course_run_keys: Type.Array(Type.String()),
  course_run_statuses: Type.Array(Type.String()),
  canonical_course_run_key: Nullable(Type.String()),
  advertised_course_run_uuid: Nullable(Type.String()),
  owners: Type.Array(Organization),
  sponsors: Type.Array(Organization),
  type: Type.String(),
  course_type: Nullable(Type.String()),
  level_type: Nullable(Type.String()),
  subjects: Type.Array(Subject),
  topics: Type.Array(Type.String()),
  skill_names: Type.Array(Type.String()),
  skills: Type.Array(Skill),
  programs: Type.Array(CourseProgram),
  additional_metadata: Nullable(Type.Object({}, { additionalProperties: true })),
  product_source: Nullable(ProductSource),
  geolocation: Nullable(Type.Unknown()),
  location_restriction: Nullable(Type.Unknown()),
  in_year_value: Type.Object({}, { additionalProperties: true }),
  enterprise_subscription_inclusion: Type.Boolean(),
  excluded_from_seo: Type.Boolean(),
  excluded_from_search: Type.Boolean(),
  key_for_reruns: Type.String(),
  editors: Type.Array(Type.Unknown()),
  collaborators: Type.Array(Type.Unknown()),
  organization_short_code_override: Type.String(),
  organization_logo_override_url: Nullable(Type.String()),
  data_modified_timestamp: DateTimeString,
  watchers: Type.Array(Type.String()),
  editable: Type.Boolean(),
  modified: DateTimeString,
  enrollment_count: Type.Integer(),
  recent_enrollment_count: Type.Integer(),
});
export type Course = Static<typeof Course>;

// ---------------------------------------------------------------------------------------------------------------
// /programs/?extended=True (§3.8)
// ---------------------------------------------------------------------------------------------------------------

export const MinimalCourseRun = Type.Object({
  key: Type.String(),
  uuid: Type.String(),
  title: Type.String(),
  external_key: Nullable(Type.String()),
  fixed_price_usd: Nullable(DecimalString),
  image: Nullable(Image),
  short_description: Nullable(Type.String()),
  marketing_url: Nullable(Type.String()),
  seats: Type.Array(Seat),
  start: Nullable(DateTimeString),
  end: Nullable(DateTimeString),
  go_live_date: Nullable(DateTimeString),
  enrollment_start: Nullable(DateTimeString),
  enrollment_end: Nullable(DateTimeString),
  weeks_to_complete: Nullable(Type.Integer()),
  pacing_type: Type.String(),
  type: Nullable(Type.String()),
  restriction_type: Nullable(Type.String()),
  run_type: Type.String(),
  status: Type.String(),
  is_enrollable: Type.Boolean(),
  is_marketable: Type.Boolean(),
  is_marketable_external: Type.Boolean(),
  availability: Type.String(),
  variant_id: Nullable(Type.String()),
});

export const MinimalCourse = Type.Object({
  key: Type.String(),
  uuid: Type.String(),
  title: Type.String(),
  course_runs: Type.Array(MinimalCourseRun),
  entitlements: Type.Array(Entitlement),
  owners: Type.Array(Organization),
  image: Nullable(Image),
  short_description: Nullable(Type.String()),
  type: Type.String(),
  url_slug: Type.String(),
  course_type: Nullable(Type.String()),
  enterprise_subscription_inclusion: Type.Boolean(),
  excluded_from_seo: Type.Boolean(),
  excluded_from_search: Type.Boolean(),
  course_run_statuses: Type.Array(Type.String()),
});

const StdImage = Type.Object({
  large: ImageSize,
  medium: ImageSize,
  small: ImageSize,
  'x-small': ImageSize,
});

export const ProgramExtended = Type.Object({
  uuid: Type.String(),
  title: Type.String(),
  subtitle: Type.String(),
  type: Type.String(),
  type_attrs: TypeAttrs,
  status: Type.String(),
  hidden: Type.Boolean(),
  labels: Type.Array(Type.String()),
  marketing_slug: Type.String(),
  marketing_url: Nullable(Type.String()),
  marketing_hook: Type.String(),
  banner_image: StdImage,
  card_image_url: Nullable(Type.String()),
  courses: Type.Array(MinimalCourse),
  authoring_organizations: Type.Array(Organization),
  degree: Nullable(Type.Unknown()),
  curricula: Type.Array(Type.Unknown()),
  expected_learning_items: Type.Array(Type.String()),
  organization_short_code_override: Type.String(),
  organization_logo_override_url: Nullable(Type.String()),
  primary_subject_override: Nullable(Subject),
  level_type_override: Nullable(Type.Object({ name: Type.String(), sort_value: Type.Integer() })),
  language_override: Nullable(Type.String()),
  program_duration_override: Nullable(Type.String()),
  total_hours_of_effort: Nullable(Type.Integer()),
  is_program_eligible_for_one_click_purchase: Type.Boolean(),
  price_ranges: Type.Array(
    Type.Object({ currency: Type.String(), min: Type.Number(), max: Type.Number(), total: Type.Number() }),
  ),
  subscription_eligible: Nullable(Type.Boolean()),
  subscription_prices: Type.Array(Type.Unknown()),
  recent_enrollment_count: Type.Integer(),
  taxi_form: Nullable(Type.Unknown()),
  data_modified_timestamp: DateTimeString,
  excluded_from_search: Type.Boolean(),
  excluded_from_seo: Type.Boolean(),
  has_ofac_restrictions: Nullable(Type.Boolean()),
  ofac_comment: Type.String(),
  course_run_statuses: Type.Array(Type.String()),
});
export type ProgramExtended = Static<typeof ProgramExtended>;

// ---------------------------------------------------------------------------------------------------------------
// Envelopes and minimum contracts (what the HTTP source insists on)
// ---------------------------------------------------------------------------------------------------------------

export const TokenResponse = Type.Object({
  access_token: Type.String({ minLength: 1 }),
  token_type: Type.Optional(Type.String()),
  expires_in: Type.Number(),
});

/** `search/all` page (django-elasticsearch-dsl-drf page-number pagination); `facets` is usually `{}`. */
export const SearchAllPage = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  next: Nullable(Type.String()),
  previous: Nullable(Type.String()),
  facets: Type.Optional(Type.Unknown()),
  results: Type.Array(Type.Unknown()),
});

/** `/courses/` and `/programs/` page (limit/offset or page-number pagination, same envelope). */
export const ListPage = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  next: Nullable(Type.String()),
  previous: Nullable(Type.String()),
  results: Type.Array(Type.Unknown()),
});

/** What every search hit must carry: enterprise-catalog derives its row identity from these. */
export const DiscoveryHitContract = Type.Object({
  aggregation_key: Type.String({ minLength: 1 }),
  content_type: Type.String({ minLength: 1 }),
  key: Type.Optional(Nullable(Type.String())),
  uuid: Type.Optional(Nullable(Type.String())),
});

export const CourseContract = Type.Object({
  key: Type.String({ minLength: 1 }),
  uuid: Type.Optional(Nullable(Type.String())),
  course_runs: Type.Optional(Type.Array(Type.Object({ key: Type.String() }))),
});

export const ProgramContract = Type.Object({
  uuid: Type.String({ minLength: 1 }),
});
