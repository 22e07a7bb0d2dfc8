import { AwsError } from '../../protocols/errors.js';
import type { Condition, Operand, Path, UpdateAction } from './expressions/parser.js';
import { checkAsBigDecimal, checkValue, typeOf, type Item, type Value } from './values.js';

/**
 * The PartiQL subset DynamoDB accepts, parsed into the same condition and update trees as the
 * expression languages: SELECT, INSERT, UPDATE, DELETE, with `?` parameters.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
 */
export type Statement =
  | {
    kind: 'select'; table: string; index: string | undefined; projection: Path[] | undefined; where: Condition | undefined; descending: boolean;
    /** A function in the SELECT list of a statement that names an index: refused once the index is judged (see `select`). */
    refused?: AwsError;
  }
  | { kind: 'insert'; table: string; item: Item }
  /** The WHERE of a FROM-first UPDATE may be missing, which DynamoDB refuses as a missing key. */
  | { kind: 'update'; table: string; actions: UpdateAction[]; where: Condition | undefined; returning: string | undefined }
  /** `EXISTS(SELECT ...)`: ExecuteTransaction's condition check on one item. */
  | { kind: 'exists'; table: string; index: string | undefined; where: Condition | undefined }
  | { kind: 'delete'; table: string; where: Condition; returning: string | undefined };

interface Token {
  kind: 'word' | 'quoted' | 'string' | 'number' | 'punct' | 'param' | 'eof';
  text: string;
  /** Where the token's source text starts and ends in the statement. */
  start: number;
  end: number;
}

const PUNCT = ['<<', '>>', '<>', '!=', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', '{', '}', ',', '.', ':', ';', '*', '+', '-'];

const invalid = (m: string) => new AwsError('ValidationException', m);

/**
 * Words PartiQL reads as keywords of its joins, so a path cannot step to one after a dot:
 * DynamoDB refuses `m.inner` as not well formed (the Parity Suite's recordings).
 */
const JOIN_WORDS = new Set(['CROSS', 'FULL', 'INNER', 'JOIN', 'LEFT', 'OUTER', 'RIGHT']);

/**
 * Where a term should start, PartiQL's parser names what it found instead: one of its operators,
 * one of its keywords (of those our grammar reads, the clause words), or nothing (the statement
 * ends). https://github.com/partiql/partiql-lang-kotlin (SqlParser.parseTerm)
 */
const OPERATOR_WORDS = new Set(['AND', 'OR', 'IS', 'IN', 'LIKE', 'BETWEEN']);
const OPERATOR_PUNCT = new Set(['=', '<>', '!=', '<', '<=', '>', '>=', '*']);
const CLAUSE_WORDS = new Set(['SELECT', 'FROM', 'WHERE', 'ORDER', 'BY', 'SET', 'REMOVE', 'RETURNING']);

/** The type names of PartiQL's `IS <type>`, some of them two words. */
const TYPE_NAMES = new Set(['NULL', 'MISSING', 'BOOL', 'BOOLEAN', 'SMALLINT', 'INT2', 'INTEGER2', 'INT', 'INT4', 'INTEGER4', 'INTEGER', 'INT8', 'INTEGER8', 'BIGINT',
  'REAL', 'FLOAT', 'DOUBLE PRECISION', 'DECIMAL', 'DEC', 'NUMERIC', 'TIMESTAMP', 'DATE', 'TIME', 'CHAR', 'CHARACTER', 'VARCHAR', 'CHARACTER VARYING',
  'STRING', 'SYMBOL', 'CLOB', 'BLOB', 'STRUCT', 'TUPLE', 'LIST', 'SEXP', 'BAG', 'ANY']);

/** The functions a WHERE clause can call; DynamoDB does not recognise others there. */
const WHERE_FUNCTIONS = new Set(['attribute_exists', 'attribute_not_exists', 'attribute_type', 'begins_with', 'contains', 'size']);

function malformed(detail: string): AwsError {
  return new AwsError('ValidationException', `Statement wasn't well formed, can't be processed: ${detail}`);
}

/**
 * An ordering operator (<, <=, >, >=, BETWEEN) refuses a value of a type with no order, whatever
 * the other side is (the Parity Suite's recordings of ExecuteStatement).
 */
function checkOrdered(op: string, operands: Operand[]): void {
  for (const o of operands) {
    if (o.kind !== 'value') continue;
    const type = typeOf(o.value);
    if (type !== 'S' && type !== 'N' && type !== 'B') {
      throw new AwsError('ValidationException', `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${type}`);
    }
  }
}

/** attribute_exists and attribute_not_exists take one document path (the Parity Suite's recordings, four regions). */
function checkExistsCall(name: string, args: Operand[]): void {
  if (args.length !== 1) {
    throw new AwsError('ValidationException', `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
  }
  if (args[0]!.kind !== 'path') throw new AwsError('ValidationException', `Operator or function requires a document path; operator or function: ${name}`);
}

/** The type names `IS [NOT]` takes, and the attribute types they test for. */
const IS_TYPES: Record<string, string> = { NULL: 'NULL', STRING: 'S', NUMBER: 'N', BINARY: 'B', BOOL: 'BOOL', BOOLEAN: 'BOOL', LIST: 'L', MAP: 'M' };

const INT32 = 2 ** 31;
/** How deep checkParameterNumbers looks: no deeper than attribute values may nest. */
const MAX_PARAMETER_DEPTH = 32;

/**
 * A number literal as DynamoDB's PartiQL reads it: a BigDecimal whose exponent and scale (digits
 * after the point less the exponent) must fit a 32-bit integer, else the statement is not well
 * formed; then DynamoDB's number rules, whose refusal names the literal's path in its value.
 */
function numberLiteral(text: string, path: string): Value {
  const [, fraction = '', exponent = '0'] = /^\d*(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.replace(/^-/, ''))!;
  const exp = Number(exponent);
  const scale = fraction.length - exp;
  if (exp < -INT32 || exp >= INT32 || scale < -INT32 || scale >= INT32) throw malformed('');
  try {
    return checkValue({ N: text });
  } catch (e) {
    if (e instanceof AwsError) throw new AwsError('ValidationException', `${e.message} under ${path}`);
    throw e;
  }
}

/** A parameter's numbers, nested ones too, as DynamoDB's older checks read them (values.ts checkAsBigDecimal). */
function checkParameterNumbers(v: Value, depth: number): void {
  for (const text of v.N !== undefined ? [v.N] : v.NS ?? []) checkAsBigDecimal(text);
  if (depth >= MAX_PARAMETER_DEPTH) return;
  for (const e of v.L ?? Object.values(v.M ?? {})) checkParameterNumbers(e, depth + 1);
}

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    // Comments are whitespace: -- to the end of the line, /* to */ (DynamoDB's PartiQL grammar).
    if ((m = /^(\s+|--[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest))) { i += m[0].length; continue; }
    let token: Omit<Token, 'start' | 'end'>;
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) token = { kind: 'word', text: m[0] };
    else if ((m = /^"((?:[^"]|"")*)"/.exec(rest))) token = { kind: 'quoted', text: m[1]!.replace(/""/g, '"') };
    else if ((m = /^'((?:[^']|'')*)'/.exec(rest))) token = { kind: 'string', text: m[1]!.replace(/''/g, "'") };
    else if ((m = /^(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/.exec(rest))) token = { kind: 'number', text: m[0] };
    else if (rest[0] === '?') token = { kind: 'param', text: '?' };
    else {
      const p = PUNCT.find((x) => rest.startsWith(x));
      // A character no token starts with (a # comment, an unterminated /* comment): no detail.
      if (!p) throw malformed('');
      token = { kind: 'punct', text: p };
    }
    const length = m ? m[0].length : token.text.length;
    out.push({ ...token, start: i, end: i + length });
    i += length;
  }
  out.push({ kind: 'eof', text: '<EOF>', start: src.length, end: src.length });
  return out;
}

class Parser {
  private pos = 0;
  private param = 0;
  /** Whether a WHERE clause is being read, where only the condition functions may be called. */
  private inWhere = false;
  private readonly tokens: Token[];

  constructor(private readonly src: string, private readonly params: Value[]) {
    this.tokens = tokenize(src);
  }

  /**
   * Where tokens `from` to `to` sit, as DynamoDB's positioned messages give it:
   * `<line>:<column>:<length>`, counted in characters from 1.
   */
  at(from: Token, to: Token = from): string {
    const before = this.src.slice(0, from.start);
    const line = before.split('\n').length;
    const column = from.start - before.lastIndexOf('\n');
    return `${line}:${column}:${to.end - from.start}`;
  }

  /** Whether the statement ends here, but for a closing semicolon. */
  atEnd(): boolean {
    return this.peek().kind === 'eof' || (this.isPunct(';') && this.tokens[this.pos + 1]?.kind === 'eof');
  }

  /** Refuses, as PartiQL's parser does, a token that cannot start a term where one must start. */
  term(): void {
    const t = this.peek();
    const word = t.kind === 'word' ? t.text.toUpperCase() : undefined;
    if (t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === ')'))) throw malformed('Unexpected term');
    if ((word && OPERATOR_WORDS.has(word)) || (t.kind === 'punct' && OPERATOR_PUNCT.has(t.text))) throw malformed('Unexpected operator');
    // FROM starts a term of its own, a FROM-first UPDATE, whose refusals are then the reader's.
    if (word === 'FROM') {
      this.next();
      this.fromFirst();
    }
    if (word && CLAUSE_WORDS.has(word)) throw malformed('Unexpected keyword');
  }

  /** The right-hand side of an infix operator just read, which must be there. */
  rightHand(): void {
    if (this.atEnd()) throw malformed('Missing right-hand side expression of infix operator');
  }

  /** The type name after IS: a word, or two for DOUBLE PRECISION and CHARACTER VARYING. */
  typeName(): string {
    const t = this.next();
    let name = t.kind === 'word' ? t.text.toUpperCase() : '';
    if ((name === 'DOUBLE' && this.is('PRECISION')) || (name === 'CHARACTER' && this.is('VARYING'))) name += ` ${this.next().text.toUpperCase()}`;
    if (!TYPE_NAMES.has(name)) throw malformed('Expected type name');
    return name;
  }

  /** Whether the next token is a word directly followed by '(': a function call. */
  isCall(): boolean {
    return this.peek().kind === 'word' && this.tokens[this.pos + 1]?.text === '(';
  }

  peek(): Token { return this.tokens[this.pos]!; }
  next(): Token { return this.tokens[Math.min(this.pos++, this.tokens.length - 1)]!; }
  is(word: string): boolean { const t = this.peek(); return t.kind === 'word' && t.text.toUpperCase() === word; }
  isPunct(p: string): boolean { const t = this.peek(); return t.kind === 'punct' && t.text === p; }

  keyword(word: string): void {
    if (!this.is(word)) throw malformed(`Expected ${word}, found ${this.peek().text}`);
    this.next();
  }

  punct(p: string): void {
    if (!this.isPunct(p)) throw malformed(`Expected '${p}', found ${this.peek().text}`);
    this.next();
  }

  end(): void {
    if (this.isPunct(';')) this.next();
    if (this.peek().kind !== 'eof') throw malformed('Unexpected token after expression');
    if (this.param !== this.params.length) {
      throw new AwsError('ValidationException', `Number of parameters in request and statement don't match.`);
    }
  }

  name(): string {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'quoted') throw malformed(`Unexpected token: ${t.text}`);
    return t.text;
  }

  path(): Path {
    const path: Path = [this.name()];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        // PartiQL's grammar reads these words as keywords, which cannot follow a dot.
        if (this.peek().kind === 'word' && JOIN_WORDS.has(this.peek().text.toUpperCase())) throw malformed('Invalid path dot component');
        path.push(this.name());
      }
      else if (this.isPunct('[')) {
        this.next();
        const negative = this.isPunct('-') ? (this.next(), true) : false;
        const t = this.next();
        if (t.kind !== 'number') throw malformed(`Unexpected token: ${t.text}`);
        // An index is a 32-bit integer, not below zero (though -0 is 0); the refusal points at its digits.
        const index = Number(t.text) * (negative ? -1 : 1);
        if (index < 0 || index > INT32 - 1) throw invalid(`List index is not within the allowable range; index: [${negative ? '-' : ''}${t.text}] at ${this.at(t)}`);
        path.push(index === 0 ? 0 : index);
        this.punct(']');
      } else return path;
    }
  }

  /**
   * A value; `path` is where a literal sits inside the attribute value it belongs to, for
   * DynamoDB's number messages, or null for an INSERT's item, whose attributes are each a root.
   */
  value(path: string | null = 'root'): Value {
    const t = this.next();
    switch (t.kind) {
      case 'param': {
        // A parameter is a whole value: one inside a list, set or map literal is refused.
        if (path !== null && path !== 'root') throw invalid(`Unsupported data type: Parameter under key ${path} at ${this.at(t)}`);
        const v = this.params[this.param++];
        if (!v) throw new AwsError('ValidationException', `Number of parameters in request and statement don't match.`);
        return v;
      }
      case 'string': return { S: t.text };
      case 'number': return numberLiteral(t.text, path ?? 'root');
      case 'word': {
        const w = t.text.toUpperCase();
        if (w === 'TRUE' || w === 'FALSE') return { BOOL: w === 'TRUE' };
        if (w === 'NULL') return { NULL: true };
        if (this.isPunct('(')) throw invalid(`Unsupported data type: ${t.text.toLowerCase()} under key ${path ?? 'root'} at ${this.at(t)}`);
        throw malformed(`Unexpected token: ${t.text}`);
      }
      case 'punct': {
        if (t.text === '-') {
          const n = this.next();
          if (n.kind !== 'number') throw malformed(`Unexpected token: ${n.text}`);
          return numberLiteral(`-${n.text}`, path ?? 'root');
        }
        if (t.text === '[') return { L: this.list(']', path ?? 'root') };
        if (t.text === '<<') return this.set(path ?? 'root');
        if (t.text === '{') {
          const M: Item = {};
          while (!this.isPunct('}')) {
            const k = this.next();
            if (k.kind !== 'string') throw malformed(`Unexpected token: ${k.text}`);
            this.punct(':');
            M[k.text] = this.value(path === null ? 'root' : `${path}.${k.text}`);
            if (!this.isPunct('}')) this.punct(',');
          }
          this.next();
          return { M };
        }
      }
    }
    throw malformed(`Unexpected token: ${t.text}`);
  }

  /** A list's values, each under `path` at its index; an IN list's values are each a root of their own. */
  list(close: string, path?: string): Value[] {
    const items: Value[] = [];
    while (!this.isPunct(close)) {
      items.push(this.value(path === undefined ? 'root' : `${path}[${items.length}]`));
      if (!this.isPunct(close)) this.punct(',');
    }
    this.next();
    return items;
  }

  set(path: string): Value {
    const items = this.list('>>', path);
    if (items.length === 0) throw invalid('Empty bags are not supported');
    if (items.every((v) => v.S !== undefined)) return checkValue({ SS: items.map((v) => v.S!) });
    if (items.every((v) => v.N !== undefined)) return checkValue({ NS: items.map((v) => v.N!) });
    if (items.every((v) => v.B !== undefined)) return checkValue({ BS: items.map((v) => v.B!) });
    throw malformed('Set elements must all be of one scalar type');
  }

  operand(): Operand {
    this.term();
    const t = this.peek();
    if (this.isCall() && !['TRUE', 'FALSE', 'NULL'].includes(t.text.toUpperCase())) {
      const name = this.next().text.toLowerCase();
      if (this.inWhere && !WHERE_FUNCTIONS.has(name)) throw invalid(`Unrecognized function: ${name} at ${this.at(t)}`);
      this.punct('(');
      const args = this.isPunct(')') ? [] : [this.operand()];
      while (this.isPunct(',')) { this.next(); args.push(this.operand()); }
      this.punct(')');
      if (name === 'attribute_exists' || name === 'attribute_not_exists') checkExistsCall(name, args);
      return { kind: 'call', name, args };
    }
    if (t.kind === 'quoted' || (t.kind === 'word' && !['TRUE', 'FALSE', 'NULL'].includes(t.text.toUpperCase()))) return { kind: 'path', path: this.path() };
    return { kind: 'value', value: this.value() };
  }

  /** A WHERE clause's condition. */
  where(): Condition {
    this.inWhere = true;
    const c = this.condition();
    this.inWhere = false;
    return c;
  }

  condition(): Condition {
    let left = this.and();
    while (this.is('OR')) { this.next(); this.rightHand(); left = { kind: 'or', args: [left, this.and()] }; }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.is('AND')) { this.next(); this.rightHand(); left = { kind: 'and', args: [left, this.not()] }; }
    return left;
  }

  private not(): Condition {
    if (this.is('NOT')) { this.next(); return { kind: 'not', args: [this.not()] }; }
    if (this.isPunct('(')) {
      this.next();
      const c = this.condition();
      this.punct(')');
      return c;
    }
    const left = this.operand();
    const t = this.peek();
    if (t.kind === 'punct' && ['=', '<>', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      this.rightHand();
      const op = (t.text === '!=' ? '<>' : t.text) as '=';
      const right = this.operand();
      // A condition function compared with a boolean is that condition, or its negation.
      if (left.kind === 'call' && left.name !== 'size' && right.kind === 'value' && right.value.BOOL !== undefined && (op === '=' || op === '<>')) {
        return right.value.BOOL === (op === '=') ? (left as Condition) : { kind: 'not', args: [left as Condition] };
      }
      if (op !== '=' && op !== '<>') checkOrdered(op, [left, right]);
      return { kind: 'compare', op, args: [left, right] };
    }
    if (this.is('BETWEEN')) {
      this.next();
      const lo = this.operand();
      this.keyword('AND');
      const hi = this.operand();
      checkOrdered('BETWEEN', [left, lo, hi]);
      return { kind: 'between', args: [left, lo, hi] };
    }
    if (this.is('IN')) {
      this.next();
      const open = this.next();
      if (open.text !== '[' && open.text !== '(') throw malformed(`Unexpected token: ${open.text}`);
      const values = this.list(open.text === '[' ? ']' : ')');
      return { kind: 'in', args: [left, ...values.map((value): Operand => ({ kind: 'value', value }))] };
    }
    if (this.is('IS')) {
      this.next();
      const negate = this.is('NOT') ? (this.next(), true) : false;
      const what = this.typeName();
      const type = what === 'MISSING' ? undefined : IS_TYPES[what];
      if (what !== 'MISSING' && !type) throw malformed(`Unexpected token: ${what}`);
      const c: Condition = type ? { kind: 'call', name: 'attribute_type', args: [left, { kind: 'value', value: { S: type } }] }
        : { kind: 'call', name: 'attribute_not_exists', args: [left] };
      return negate ? { kind: 'not', args: [c] } : c;
    }
    if (left.kind === 'call') return left as Condition;
    throw malformed(`Unexpected token: ${t.text}`);
  }

  setValue(): Operand {
    const left = this.operand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().text as '+' | '-';
      this.rightHand();
      const args: [Operand, Operand] = [left, this.operand()];
      // A literal that is not a number is refused as it is read, before any condition is tested.
      for (const a of args) {
        if (a.kind === 'value' && typeOf(a.value) !== 'N') {
          throw invalid(`Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${typeOf(a.value)}`);
        }
      }
      return { kind: 'arith', op, args };
    }
    return left;
  }

  returning(): string | undefined {
    if (!this.is('RETURNING')) return undefined;
    this.next();
    const which = `${this.name().toUpperCase()}_${this.name().toUpperCase()}`;
    this.punct('*');
    return which;
  }

  /** An optional `ORDER BY key [ASC|DESC]`: whether a SELECT reads its partition in descending key order. */
  orderBy(): boolean {
    if (!this.is('ORDER')) return false;
    this.next();
    this.keyword('BY');
    this.name();
    if (this.is('DESC')) return (this.next(), true);
    if (this.is('ASC')) this.next();
    return false;
  }

  /** After a table's name, a word the statement cannot continue with is a table alias, which DynamoDB refuses. */
  noAlias(...next: string[]): void {
    if (this.peek().kind === 'word' && !next.some((w) => this.is(w))) throw new AwsError('ValidationException', 'Aliasing is not supported');
  }

  /**
   * A SELECT list's entry: a path, never a function's result. A function (COUNT(*)) is refused,
   * but after the index the statement names: DynamoDB refuses a multi-attribute index first (the
   * Parity Suite's recordings), so the refusal is returned and the call passed over.
   */
  projected(): Path | AwsError {
    if (!this.isCall()) return this.path();
    const refusal = invalid(`Unexpected path component at ${this.at(this.peek())}`);
    this.next();
    for (let depth = 0; !this.atEnd();) {
      const t = this.next();
      if (t.kind === 'punct' && t.text === '(') depth++;
      else if (t.kind === 'punct' && t.text === ')' && --depth === 0) break;
    }
    return refusal;
  }

  /** A component of a SELECT's FROM path: the table, or the index after it. */
  component(): string {
    const name = this.name();
    if (name === '') throw invalid('Path component cannot be an empty string');
    return name;
  }

  /** A SELECT after its verb. */
  select(): Statement & { kind: 'select' } {
    let projection: Path[] | undefined;
    let refused: AwsError | undefined;
    if (this.isPunct('*')) this.next();
    else {
      projection = [];
      do {
        const entry = this.projected();
        if (entry instanceof AwsError) refused ??= entry;
        else projection.push(entry);
      } while (this.isPunct(',') && this.next());
    }
    this.keyword('FROM');
    // What follows FROM in a SELECT is a term.
    if (this.atEnd()) this.term();
    const table = this.component();
    const index = this.isPunct('.') ? (this.next(), this.component()) : undefined;
    if (this.isPunct('.')) throw invalid('A path may contain at most 2 components in the FROM clause');
    this.noAlias('WHERE', 'ORDER');
    // Without an index, the function is refused as it is read.
    if (refused && index === undefined) throw refused;
    const where = this.is('WHERE') ? (this.next(), this.where()) : undefined;
    return { kind: 'select', table, index, projection, where, descending: this.orderBy(), ...(refused ? { refused } : {}) };
  }

  /**
   * One `path = value` of a SET clause. `path = set_add(path, <<...>>)` adds members to the set
   * at path and set_delete removes them, as an UpdateExpression's ADD and DELETE do; DynamoDB's
   * refusals of other shapes point at the function or at its first argument.
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.update.html
   */
  assignment(): UpdateAction {
    const path = this.path();
    this.punct('=');
    const fn = this.peek();
    const name = fn.text.toUpperCase();
    if (!this.isCall() || (name !== 'SET_ADD' && name !== 'SET_DELETE')) return { kind: 'SET', path, value: this.setValue() };
    this.next();
    this.punct('(');
    const args: { operand: Operand; from: Token; to: Token }[] = [];
    while (!this.isPunct(')')) {
      const from = this.peek();
      args.push({ operand: this.operand(), from, to: this.tokens[this.pos - 1]! });
      if (!this.isPunct(')')) this.punct(',');
    }
    this.next();
    const [target, members] = args;
    if (!target || !members || args.length > 2) throw invalid(`${name} must have exactly two arguments at ${this.at(fn)}`);
    if (target.operand.kind !== 'path' || target.operand.path.join('.') !== path.join('.')) {
      throw invalid(`The first argument to ${name} must equal the assignment value at ${this.at(fn)}`);
    }
    const set = members.operand.kind === 'value' ? members.operand.value : undefined;
    if (!set || !(set.SS || set.NS || set.BS)) throw invalid(`The second argument to ${name} must be a value with type SET at ${this.at(target.from, target.to)}`);
    return { kind: name === 'SET_ADD' ? 'ADD' : 'DELETE', path, value: set };
  }

  /** The SET and REMOVE clauses of an UPDATE, as many as are written. */
  updateActions(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    while (this.is('SET') || this.is('REMOVE')) {
      if (this.next().text.toUpperCase() === 'SET') actions.push(this.assignment());
      else actions.push({ kind: 'REMOVE', path: this.path() });
      while (this.isPunct(',')) { this.next(); actions.push(this.assignment()); }
    }
    if (actions.length === 0) throw malformed('Expected data manipulation');
    return actions;
  }

  /** PartiQL's FROM-first UPDATE after its FROM: table [WHERE ...] SET|REMOVE ..., the same update. */
  fromFirst(): Statement & { kind: 'update' } {
    const table = this.name();
    this.noAlias('WHERE', 'SET', 'REMOVE');
    const where = this.is('WHERE') ? (this.next(), this.where()) : undefined;
    return { kind: 'update', table, where, actions: this.updateActions(), returning: this.returning() };
  }

  statement(): Statement {
    const verb = this.next();
    switch (verb.text.toUpperCase()) {
      case 'SELECT': return this.select();
      case 'EXISTS': {
        this.punct('(');
        this.keyword('SELECT');
        const { table, index, where } = this.select();
        this.punct(')');
        return { kind: 'exists', table, index, where };
      }
      case 'INSERT': {
        this.keyword('INTO');
        const table = this.name();
        if (!this.is('VALUE')) throw malformed('Unexpected token after expression');
        this.next();
        const v = this.value(null);
        if (!v.M) throw malformed('INSERT VALUE must be a tuple');
        return { kind: 'insert', table, item: v.M };
      }
      case 'UPDATE': {
        const table = this.name();
        this.noAlias('SET', 'REMOVE', 'WHERE');
        const actions = this.updateActions();
        this.keyword('WHERE');
        return { kind: 'update', table, actions, where: this.where(), returning: this.returning() };
      }
      case 'FROM': return this.fromFirst();
      case 'DELETE': {
        this.keyword('FROM');
        const t = this.peek();
        if (t.kind !== 'quoted' && (t.kind !== 'word' || CLAUSE_WORDS.has(t.text.toUpperCase()))) throw malformed('Expected identifier for simple path');
        const table = this.name();
        this.noAlias('WHERE');
        this.keyword('WHERE');
        const where = this.where();
        const returning = this.returning();
        if (returning && returning !== 'ALL_OLD') {
          throw invalid(`Invalid returning clause: RETURNING ${returning.replace('_', ' ')} *. Only RETURNING ALL OLD * is allowed in DELETE statements.`);
        }
        return { kind: 'delete', table, where, returning };
      }
      default: {
        // Any other statement is an expression, which DynamoDB does not run, but reads first: a
        // type test is refused as an operation, a misspelt `SELECT * FROM ...` as an operand
        // times a FROM-first statement with no SET or REMOVE.
        this.pos--;
        if (verb.kind === 'word' || verb.kind === 'quoted') {
          this.path();
          if (this.is('IS')) {
            this.next();
            if (this.is('NOT')) this.next();
            this.typeName();
            throw invalid('Unsupported operation: IsType');
          }
          if (OPERATOR_PUNCT.has(this.peek().text)) {
            this.next();
            this.rightHand();
            this.operand();
          }
        }
        throw malformed(`Unexpected keyword: ${verb.text}`);
      }
    }
  }
}

/**
 * A statement's parameters, checked before its text is read: DynamoDB refuses a bad parameter
 * even in a statement that would not parse, and in ExecuteTransaction before any statement.
 */
export function checkParameters(params: Value[] | undefined): Value[] {
  return (params ?? []).map((v) => {
    checkParameterNumbers(v, 0);
    return checkValue(v);
  });
}

/** Parses a statement whose parameters checkParameters has checked. */
export function parseStatement(src: string, params: Value[]): Statement {
  const p = new Parser(src, params);
  const s = p.statement();
  p.end();
  return s;
}

/** The values a condition pins with `attr = value` at its top level (AND only): a PartiQL WHERE clause, a key condition. */
export function equalities(c: Condition | undefined): Map<string, Value> {
  const out = new Map<string, Value>();
  const walk = (x: Condition) => {
    if (x.kind === 'and') x.args.forEach(walk);
    else if (x.kind === 'compare' && x.op === '=') {
      const [a, b] = x.args;
      if (a.kind === 'path' && a.path.length === 1 && b.kind === 'value') out.set(a.path[0] as string, b.value);
      else if (b.kind === 'path' && b.path.length === 1 && a.kind === 'value') out.set(b.path[0] as string, a.value);
    }
  };
  if (c) walk(c);
  return out;
}
