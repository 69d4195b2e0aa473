/**
 * Fake Moodle: `login/token.php` (username/password → token, errors as 200 bodies) and the REST server with the
 * three course functions the channel uses. Like Moodle it answers HTTP 200 with `{exception, errorcode, message}`
 * on errors: `invalidtoken`, `shortnametaken`, `courseidnumbertaken`, `invalidparameter`, `invalidrecord`; update
 * problems come back as `warnings`.
 */
import { randomBytes } from 'node:crypto';
import { FakeLmsServer, type FakeReply, type FakeRequest } from './fake-lms-server.js';

export interface MoodleFakeCourse {
  id: number;
  fullname: string;
  shortname: string;
  idnumber: string;
  categoryid: number;
  visible: number;
  summary: string;
  [field: string]: unknown;
}

const CATEGORIES = new Set([1, 5]);

function fault(exception: string, errorcode: string, message: string): FakeReply {
  return { json: { exception, errorcode, message } };
}

export class MoodleFake {
  readonly server = new FakeLmsServer();
  readonly courses = new Map<number, MoodleFakeCourse>();
  /** Tokens issued by token.php, plus the configured static token; all of them are credentials. */
  readonly issued: string[] = [];
  private readonly valid = new Set<string>();
  private nextId = 2; // id 1 is the site course in Moodle

  constructor(
    readonly username = 'ws-edx-user',
    readonly password = 'moodle-password-0123456789',
    readonly serviceShortName = 'edx_service',
    readonly staticToken = 'moodle-static-token-0123456789abcdef',
  ) {
    this.valid.add(staticToken);
    this.issued.push(staticToken);
    this.server.route('token', 'POST', /^\/login\/token\.php$/, (req) => this.token(req));
    this.server.route('server', 'POST', /^\/webservice\/rest\/server\.php$/, (req) => this.rest(req));
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  /** Every token stops working, the static one included (as when an admin revokes tokens). */
  expireTokens(): void {
    this.valid.clear();
  }

  byIdnumber(idnumber: string): MoodleFakeCourse[] {
    return [...this.courses.values()].filter((c) => c.idnumber === idnumber);
  }

  private token(req: FakeRequest): FakeReply {
    if (req.query.get('service') !== this.serviceShortName) return { json: { error: 'Web service is not available', errorcode: 'servicenotavailable' } };
    if (req.form.get('username') !== this.username || req.form.get('password') !== this.password) {
      return { json: { error: 'Invalid login, please try again', errorcode: 'invalidlogin' } };
    }
    const token = randomBytes(16).toString('hex');
    this.valid.add(token);
    this.issued.push(token);
    return { json: { token, privatetoken: null } };
  }

  private rest(req: FakeRequest): FakeReply {
    const p = req.form;
    const token = p.get('wstoken') ?? req.query.get('wstoken') ?? '';
    if (!this.valid.has(token)) return fault('moodle_exception', 'invalidtoken', 'Invalid token - token not found');
    if ((p.get('moodlewsrestformat') ?? req.query.get('moodlewsrestformat')) !== 'json') return { text: '<?xml version="1.0"?><RESPONSE/>' };
    switch (p.get('wsfunction')) {
      case 'core_course_get_courses_by_field':
        return this.getByField(p.get('field') ?? '', p.get('value') ?? '');
      case 'core_course_create_courses':
        return this.create(coursesFrom(p));
      case 'core_course_update_courses':
        return this.update(coursesFrom(p));
      default:
        return fault('dml_missing_record_exception', 'invalidrecord', `Can't find data record in database table external_functions.`);
    }
  }

  private getByField(field: string, value: string): FakeReply {
    if (!['id', 'idnumber', 'shortname', 'category', 'ids'].includes(field)) {
      return fault('invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected');
    }
    const found = [...this.courses.values()].filter((c) => String(c[field === 'category' ? 'categoryid' : field]) === value);
    return { json: { courses: found, warnings: [] } };
  }

  private create(list: Record<string, string>[]): FakeReply {
    const created: { id: number; shortname: string }[] = [];
    for (const c of list) {
      if (!c['fullname'] || !c['shortname'] || !c['categoryid']) return fault('invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected');
      if (!CATEGORIES.has(Number(c['categoryid']))) return fault('dml_missing_record_exception', 'invalidrecord', "Can't find data record in database table course_categories.");
      if ([...this.courses.values()].some((x) => x.shortname === c['shortname'])) return fault('moodle_exception', 'shortnametaken', `Short name is already used for another course (${c['shortname']})`);
      if (c['idnumber'] && this.byIdnumber(c['idnumber']).length > 0) return fault('moodle_exception', 'courseidnumbertaken', 'ID number is already used for another course');
    }
    for (const c of list) {
      const id = this.nextId++;
      this.courses.set(id, toCourse(id, c));
      created.push({ id, shortname: c['shortname'] as string });
    }
    return { json: created };
  }

  private update(list: Record<string, string>[]): FakeReply {
    const warnings: Record<string, unknown>[] = [];
    for (const c of list) {
      const id = Number(c['id']);
      const course = this.courses.get(id);
      if (!course) {
        warnings.push({ item: 'course', itemid: id, warningcode: 'invalidrecord', message: "Can't find data record in database table course." });
        continue;
      }
      if (c['shortname'] && [...this.courses.values()].some((x) => x.id !== id && x.shortname === c['shortname'])) {
        warnings.push({ item: 'course', itemid: id, warningcode: 'shortnametaken', message: 'Short name is already used for another course' });
        continue;
      }
      this.courses.set(id, { ...course, ...toCourse(id, { ...stringify(course), ...c }) });
    }
    return { json: { warnings } };
  }
}

/** `courses[i][field]=value` form fields → one record per index. */
function coursesFrom(form: URLSearchParams): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [k, v] of form) {
    const m = /^courses\[(\d+)\]\[(\w+)\]$/.exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const rec = byIndex.get(i) ?? {};
    rec[m[2] as string] = v;
    byIndex.set(i, rec);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}

function stringify(course: MoodleFakeCourse): Record<string, string> {
  return Object.fromEntries(Object.entries(course).map(([k, v]) => [k, String(v)]));
}

function toCourse(id: number, c: Record<string, string>): MoodleFakeCourse {
  return {
    ...c,
    id,
    fullname: c['fullname'] ?? '',
    shortname: c['shortname'] ?? '',
    idnumber: c['idnumber'] ?? '',
    categoryid: Number(c['categoryid'] ?? 1),
    visible: c['visible'] === undefined ? 1 : Number(c['visible']),
    summary: c['summary'] ?? '',
  };
}
