import { hash } from 'node:crypto';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { stringify } from 'safe-stable-stringify';
import type { Row } from '../../db/schema.ts';
import { hashOf } from './audit.hash.ts';
import { RangeWalk, type Break, type Range } from './audit.verify.ts';

/**
 * How a worker reads a range on PostgreSQL, fast: `COPY ... TO STDOUT` in the binary format, and each
 * row's hash taken over text written straight from the row's bytes. That text is what `hashOf` builds
 * (the same keys in the same sorted order, the same omissions, strings escaped as JSON.stringify
 * escapes them), so a match proves the row is as recorded. Where it does not match, or a value is in
 * a form this leaves alone, `hashOf` itself decides on the row read the ordinary way: this can make
 * verification faster, never more lenient.
 */

/** The columns read, in this order. */
export const COPY_COLUMNS = [
  'seq',
  'at',
  'actor_user_id',
  'actor_label',
  'action',
  'outcome',
  'subject_type',
  'subject_id',
  'request_id',
  'detail',
  'actor_organisation_id',
  'actor_roles',
  'basis',
  'person_ids',
  'item_ids',
  'source_address',
  'prev_hash',
  'hash',
] as const;
const [SEQ, AT, USER, LABEL, ACTION, OUTCOME, SUBJECT_TYPE, SUBJECT_ID, REQUEST, DETAIL, ORG, ROLES, BASIS] =
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;
const [PEOPLE, ITEMS, SOURCE, PREV_HASH, HASH] = [13, 14, 15, 16, 17] as const;

/** Checks one range: the row before it and the range's rows, in seq order, in one COPY. */
export async function walkOnPostgres(
  client: pg.Client,
  checker: () => Promise<pg.Client>,
  range: Range,
  progress: (rows: number) => void,
): Promise<Break | undefined> {
  const walk = new RangeWalk(range);
  const partnership = Buffer.from(JSON.stringify(range.partnershipId));
  const rows = new CopyRows();
  const stream = client.query(
    copyTo(`copy (select ${COPY_COLUMNS.join(', ')} from audit_events
      where partnership_id = ${client.escapeLiteral(range.partnershipId)}
        and seq between ${Math.max(1, range.from - 1)} and ${range.to} order by seq) to stdout (format binary)`),
  );
  let broken = false;
  let read = 0;
  // Once the range is broken the rest is still read (a COPY cannot be left half-read), not checked.
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (broken) continue;
    rows.push(chunk);
    while (!broken && rows.next()) {
      const { buffer: b, starts: s, ends: e } = rows;
      const seq = int8(b, s[SEQ]!);
      const stored = b.toString('latin1', s[HASH], e[HASH]);
      const holds =
        (writeContent(b, s, e, partnership) && writtenHash() === stored) ||
        (await holdsByHashOf(await checker(), range.partnershipId, seq));
      broken = !walk.row(seq, b.toString('latin1', s[PREV_HASH], e[PREV_HASH]), stored, holds);
      if (seq >= range.from && ++read === 10_000) {
        progress(read);
        read = 0;
      }
    }
  }
  progress(read);
  return walk.end();
}

/** The slow, sure way: the row as the application reads it, hashed by `hashOf`. */
async function holdsByHashOf(client: pg.Client, partnershipId: string, seq: number): Promise<boolean> {
  const { rows } = await client.query<Record<string, unknown>>({
    text: 'select * from audit_events where partnership_id = $1 and seq = $2',
    values: [partnershipId, seq],
    types: APP_TYPES,
  });
  const event = Object.fromEntries(
    Object.entries(rows[0] ?? {}).map(([k, v]) => [k.replace(/_(.)/g, (_, c: string) => c.toUpperCase()), v]),
  ) as Row<'auditEvents'>;
  try {
    return hashOf(event) === event.hash;
  } catch {
    return false; // a value hashOf cannot even read (an infinite time, say) was not recorded so
  }
}

/** As the application's pool reads values: bigint as a number, the rest as node-postgres does. */
const APP_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20
      ? Number
      : (pg.types.getTypeParser(oid, format ?? 'text') as (
          value: string,
        ) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Splits COPY's binary output into rows: the current row's fields are `buffer[starts[i]..ends[i]]`, -1 for null. */
export class CopyRows {
  buffer: Buffer = Buffer.alloc(0);
  readonly starts = new Int32Array(COPY_COLUMNS.length);
  readonly ends = new Int32Array(COPY_COLUMNS.length);
  private pos = 0;
  private started = false;

  push(chunk: Buffer) {
    this.buffer =
      this.pos < this.buffer.length ? Buffer.concat([this.buffer.subarray(this.pos), chunk]) : chunk;
    this.pos = 0;
  }

  /** Moves to the next whole row; false when more input is needed, or at the end. */
  next(): boolean {
    const b = this.buffer;
    let p = this.pos;
    if (!this.started) {
      // 'PGCOPY\n\xff\r\n\0', 32 bits of flags, then a header extension of the length given.
      if (b.length < 19) return false;
      if (b.toString('latin1', 0, 11) !== 'PGCOPY\n\xff\r\n\0') throw new Error('Not COPY binary output');
      p = this.pos = 19 + b.readInt32BE(15);
      this.started = true;
    }
    if (p + 2 > b.length) return false;
    const fields = b.readInt16BE(p);
    if (fields === -1) return false; // the trailer
    if (fields !== COPY_COLUMNS.length) throw new Error(`A COPY row of ${fields} fields`);
    p += 2;
    for (let i = 0; i < fields; i++) {
      if (p + 4 > b.length) return false;
      const length = b.readInt32BE(p);
      p += 4;
      if (length < 0) {
        this.starts[i] = this.ends[i] = -1;
        continue;
      }
      if (p + length > b.length) return false;
      this.starts[i] = p;
      this.ends[i] = p += length;
    }
    this.pos = p;
    return true;
  }
}

// ---- The text hashOf hashes, written as bytes into `out` ------------------------------------------

let out = Buffer.allocUnsafe(1 << 16);
let size = 0;

/** Each key with what comes before it, in the order safe-stable-stringify sorts them. */
const KEY = {
  action: Buffer.from('{"action":'),
  actorLabel: Buffer.from(',"actorLabel":'),
  actorOrganisationId: Buffer.from(',"actorOrganisationId":'),
  actorRoles: Buffer.from(',"actorRoles":'),
  actorUserId: Buffer.from(',"actorUserId":'),
  at: Buffer.from(',"at":'),
  basis: Buffer.from(',"basis":'),
  detail: Buffer.from(',"detail":'),
  itemIds: Buffer.from(',"itemIds":'),
  outcome: Buffer.from(',"outcome":'),
  partnershipId: Buffer.from(',"partnershipId":'),
  personIds: Buffer.from(',"personIds":'),
  prevHash: Buffer.from(',"prevHash":'),
  requestId: Buffer.from(',"requestId":'),
  seq: Buffer.from(',"seq":'),
  sourceAddress: Buffer.from(',"sourceAddress":'),
  subjectId: Buffer.from(',"subjectId":'),
  subjectType: Buffer.from(',"subjectType":'),
};
const NULL = Buffer.from('null');
const HEX = Buffer.from('0123456789abcdef');
const UUID_OID = 2950;
const TEXT_OID = 25;
/** Milliseconds from 1970 to 2000, PostgreSQL's epoch for times. */
const EPOCH_2000 = 946_684_800_000;

/**
 * Writes the text `hashOf` would hash for this row into `out` (keys in safe-stable-stringify's sorted
 * order; the later columns left out while empty, as hashOf does). False for a form left to hashOf.
 */
export function writeContent(b: Buffer, s: Int32Array, e: Int32Array, partnership: Buffer): boolean {
  size = 0;
  put(KEY.action);
  text(b, s[ACTION]!, e[ACTION]!);
  put(KEY.actorLabel);
  text(b, s[LABEL]!, e[LABEL]!);
  if (s[ORG] !== -1) {
    put(KEY.actorOrganisationId);
    uuid(b, s[ORG]!);
  }
  if (s[ROLES] !== -1) {
    put(KEY.actorRoles);
    if (!array(b, s[ROLES]!, TEXT_OID)) return false;
  }
  put(KEY.actorUserId);
  if (s[USER] === -1) put(NULL);
  else uuid(b, s[USER]!);
  put(KEY.at);
  if (!instant(int8(b, s[AT]!))) return false;
  if (s[BASIS] !== -1) {
    put(KEY.basis);
    if (!json(b, s[BASIS]!, e[BASIS]!)) return false;
  }
  put(KEY.detail);
  if (!json(b, s[DETAIL]!, e[DETAIL]!)) return false;
  if (b.readInt32BE(s[ITEMS]) !== 0) {
    put(KEY.itemIds);
    if (!array(b, s[ITEMS]!, UUID_OID)) return false;
  }
  put(KEY.outcome);
  text(b, s[OUTCOME]!, e[OUTCOME]!);
  put(KEY.partnershipId);
  put(partnership);
  if (b.readInt32BE(s[PEOPLE]) !== 0) {
    put(KEY.personIds);
    if (!array(b, s[PEOPLE]!, UUID_OID)) return false;
  }
  put(KEY.prevHash);
  text(b, s[PREV_HASH]!, e[PREV_HASH]!);
  put(KEY.requestId);
  text(b, s[REQUEST]!, e[REQUEST]!);
  put(KEY.seq);
  ascii(String(int8(b, s[SEQ]!)));
  if (s[SOURCE] !== -1) {
    put(KEY.sourceAddress);
    text(b, s[SOURCE]!, e[SOURCE]!);
  }
  put(KEY.subjectId);
  if (s[SUBJECT_ID] === -1) put(NULL);
  else text(b, s[SUBJECT_ID]!, e[SUBJECT_ID]!);
  put(KEY.subjectType);
  if (s[SUBJECT_TYPE] === -1) put(NULL);
  else text(b, s[SUBJECT_TYPE]!, e[SUBJECT_TYPE]!);
  out[size++] = 0x7d; // room was made for it with the last value
  return true;
}

function room(bytes: number) {
  if (size + bytes <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, size + bytes));
  out.copy(bigger, 0, 0, size);
  out = bigger;
}

function put(bytes: Buffer) {
  room(bytes.length);
  out.set(bytes, size);
  size += bytes.length;
}

function ascii(value: string) {
  room(value.length + 1);
  for (let i = 0; i < value.length; i++) out[size++] = value.charCodeAt(i);
}

function string(value: string) {
  room(value.length * 3 + 1);
  size += out.write(value, size, 'utf8');
}

/**
 * A UTF-8 string as JSON: its bytes in quotes, unless a character needs escaping (then as
 * JSON.stringify writes it). The check matters: unescaped, a changed value could mimic the escaped
 * text of the recorded one (a backslash before a quote), and pass.
 */
function text(b: Buffer, start: number, end: number) {
  room(end - start + 2);
  const o = out;
  let n = size;
  o[n++] = 0x22;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c === 0x22 || c === 0x5c) return string(JSON.stringify(b.toString('utf8', start, end)));
    o[n++] = c;
  }
  o[n++] = 0x22;
  size = n;
}

function uuid(b: Buffer, start: number) {
  room(38);
  const o = out;
  let n = size;
  o[n++] = 0x22;
  for (let i = start; i < start + 16; i++) {
    if (i === start + 4 || i === start + 6 || i === start + 8 || i === start + 10) o[n++] = 0x2d;
    const byte = b[i]!;
    o[n++] = HEX[byte >> 4]!;
    o[n++] = HEX[byte & 15]!;
  }
  o[n++] = 0x22;
  size = n;
}

/** jsonb's binary form is a version byte, then the text: parsed and written as hashOf would. */
function json(b: Buffer, start: number, end: number): boolean {
  if (b[start] !== 1) return false;
  const source = b.toString('utf8', start + 1, end);
  let value = seen.get(source);
  if (value === undefined) {
    value = stringify(JSON.parse(source));
    if (value === undefined) return false;
    if (seen.size === 10_000) seen.clear();
    seen.set(source, value);
  }
  string(value);
  return true;
}
/** Many events carry the same detail or basis: each text is parsed and re-written once. */
const seen = new Map<string, string>();

/** A one-dimensional array of uuid or text as JSON; false for any other shape. */
function array(b: Buffer, start: number, elementOid: number): boolean {
  const dimensions = b.readInt32BE(start);
  if (dimensions === 0) {
    ascii('[]');
    return true;
  }
  if (dimensions !== 1 || b.readInt32BE(start + 8) !== elementOid) return false;
  const count = b.readInt32BE(start + 12);
  let p = start + 20;
  ascii('[');
  for (let i = 0; i < count; i++) {
    if (i > 0) ascii(',');
    const length = b.readInt32BE(p);
    p += 4;
    if (length < 0) put(NULL);
    else if (elementOid === UUID_OID) uuid(b, p);
    else text(b, p, p + length);
    p += Math.max(0, length);
  }
  ascii(']');
  return true;
}

/**
 * A time (microseconds from 2000) as `new Date(…).toISOString()` writes it, quoted. Events come in
 * time order, so the text up to the minute is kept and only the seconds and milliseconds written.
 */
function instant(micros: number): boolean {
  const ms = Math.floor(micros / 1000) + EPOCH_2000;
  const minute = Math.floor(ms / 60_000);
  if (minute !== lastMinute) {
    const date = new Date(minute * 60_000);
    if (Number.isNaN(date.getTime())) return false;
    minuteText = `"${date.toISOString().slice(0, -7)}`; // without "00.000Z"
    lastMinute = minute;
  }
  ascii(minuteText);
  const rest = ms - minute * 60_000; // seconds and milliseconds, 0 to 59999
  room(8);
  out[size++] = 0x30 + Math.floor(rest / 10_000);
  out[size++] = 0x30 + (Math.floor(rest / 1000) % 10);
  out[size++] = 0x2e; // .
  out[size++] = 0x30 + (Math.floor(rest / 100) % 10);
  out[size++] = 0x30 + (Math.floor(rest / 10) % 10);
  out[size++] = 0x30 + (rest % 10);
  out[size++] = 0x5a; // Z
  out[size++] = 0x22;
  return true;
}
let lastMinute = NaN;
let minuteText = '';

function int8(b: Buffer, start: number): number {
  return b.readInt32BE(start) * 4_294_967_296 + b.readUInt32BE(start + 4);
}

export const writtenHash = () => hash('sha256', out.subarray(0, size), 'hex');
