import { AwsError } from '../../../protocols/errors.js';
import { compareValues, showValue, typeOf, type Value } from '../values.js';
import { isReserved } from './reserved.js';

/**
 * The expression languages of DynamoDB (condition, filter, key condition, update, projection),
 * parsed by hand into small trees with placeholders already resolved. Errors carry the wording of
 * DynamoDB's own ("Invalid UpdateExpression: Syntax error; token: ..."), and when an expression has
 * several problems the one reported is the one DynamoDB reports first.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
 */
export type PathElement = string | number;
export type Path = PathElement[];

export type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: Value }
  | { kind: 'call'; name: string; args: Operand[] }
  | { kind: 'arith'; op: '+' | '-'; args: [Operand, Operand] };

export type Condition =
  | { kind: 'compare'; op: Comparator; args: [Operand, Operand] }
  | { kind: 'between'; args: [Operand, Operand, Operand] }
  | { kind: 'in'; args: Operand[] }
  | { kind: 'call'; name: string; args: Operand[] }
  | { kind: 'and' | 'or'; args: [Condition, Condition] }
  | { kind: 'not'; args: [Condition] };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type UpdateAction =
  | { kind: 'SET'; path: Path; value: Operand }
  | { kind: 'REMOVE'; path: Path }
  /** `legacy` marks an action from AttributeUpdates, whose type errors DynamoDB words differently. */
  | { kind: 'ADD' | 'DELETE'; path: Path; value: Value; legacy?: true };

/** The request's placeholders, and which of them the request's expressions used. */
export class Placeholders {
  readonly usedNames = new Set<string>();
  readonly usedValues = new Set<string>();
  constructor(readonly names: Record<string, string> | undefined, readonly values: Record<string, Value> | undefined) {}

  /** The unused-placeholder errors, once every expression of the request has been parsed. */
  checkAllUsed(): void {
    const names = Object.keys(this.names ?? {}).filter((n) => !this.usedNames.has(n));
    if (names.length) throw new AwsError('ValidationException', `Value provided in ExpressionAttributeNames unused in expressions: keys: {${names.join(', ')}}`);
    const values = Object.keys(this.values ?? {}).filter((n) => !this.usedValues.has(n));
    if (values.length) throw new AwsError('ValidationException', `Value provided in ExpressionAttributeValues unused in expressions: keys: {${values.join(', ')}}`);
  }
}

type TokenKind = 'name' | 'attrName' | 'attrValue' | 'number' | 'punct' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  start: number;
  /** For '(': the index of its ')', or of the end when it is never closed. */
  close?: number;
}

const PUNCT = ['<>', '<=', '>=', '=', '<', '>', '(', ')', '[', ']', ',', '.', '+', '-'];

// Sticky, so each token is matched where it starts without copying the rest of the text.
const TOKEN_PATTERNS: [TokenKind, RegExp][] = [['name', /[A-Za-z][A-Za-z0-9_]*/y], ['attrName', /#[A-Za-z0-9_]*/y], ['attrValue', /:[A-Za-z0-9_]*/y], ['number', /[0-9]+/y]];

/** The token starting at `i`, or an unknown one-character punct token when none does. */
function tokenAt(src: string, i: number): { token: Token; known: boolean } {
  for (const [kind, pattern] of TOKEN_PATTERNS) {
    pattern.lastIndex = i;
    const m = pattern.exec(src);
    if (m) return { token: { kind, text: m[0], start: i }, known: true };
  }
  const p = PUNCT.find((s) => src.startsWith(s, i));
  return { token: { kind: 'punct', text: p ?? src[i]!, start: i }, known: p !== undefined };
}

function tokenize(src: string, fail: (tok: Token, prev: Token | undefined, following: Token | undefined) => never): Token[] {
  const out: Token[] = [];
  // Parentheses are matched here, once, so the parser looks across a group in one step.
  const open: Token[] = [];
  let i = 0;
  while (i < src.length) {
    if (/\s/.test(src[i]!)) { i++; continue; }
    const { token, known } = tokenAt(src, i);
    if (!known) {
      let j = i + 1;
      while (j < src.length && /\s/.test(src[j]!)) j++;
      fail(token, out[out.length - 1], j < src.length ? tokenAt(src, j).token : undefined);
    }
    if (token.kind === 'punct' && token.text === '(') open.push(token);
    else if (token.kind === 'punct' && token.text === ')' && open.length) open.pop()!.close = out.length;
    out.push(token);
    i += token.text.length;
  }
  for (const t of open) t.close = out.length;
  out.push({ kind: 'eof', text: '<EOF>', start: src.length });
  return out;
}

const CONDITION_FUNCTIONS: Record<string, number> = { attribute_exists: 1, attribute_not_exists: 1, attribute_type: 2, begins_with: 2, contains: 2, size: 1 };
const UPDATE_FUNCTIONS: Record<string, number> = { if_not_exists: 2, list_append: 2 };
const ATTRIBUTE_TYPES = ['S', 'SS', 'N', 'NS', 'B', 'BS', 'BOOL', 'NULL', 'L', 'M'];
const OPERAND_TYPE_NAMES: Record<string, string> = { S: 'STRING', N: 'NUMBER', B: 'BINARY', NULL: 'NULL', BOOL: 'BOOLEAN', L: 'LIST', M: 'MAP' };

/** Problems found while parsing; DynamoDB reports the first in its own order, not in text order. */
type Category = 'parens' | 'unknownFunction' | 'operators' | 'misusedFunction' | 'reserved' | 'section' | 'attrName' | 'attrValue' | 'overlap' | 'operands' | 'distinct' | 'function' | 'operand';
// An unknown function outranks the operator count: DynamoDB names `f` in `a < f(f(...(b)...))` nested
// 1,355 deep (ScyllaDB's Alternator tests, run against DynamoDB).
const CONDITION_ORDER: Category[] = ['parens', 'unknownFunction', 'operators', 'misusedFunction', 'reserved', 'attrName', 'attrValue', 'operands', 'distinct', 'function'];
/**
 * A key condition's undefined values and wrongly typed operands are one group, reported in the
 * order they are written (the Parity Suite's recordings, eu-west-2, 2026-10).
 */
const KEY_CONDITION_ORDER: (Category | Category[])[] = ['parens', 'unknownFunction', 'operators', 'misusedFunction', 'reserved', 'attrName', ['attrValue', 'function'], 'operands', 'distinct'];
const UPDATE_ORDER: Category[] = ['reserved', 'unknownFunction', 'operators', 'misusedFunction', 'section', 'attrName', 'attrValue', 'overlap', 'operand', 'operands', 'function'];

/**
 * Expression limits (the Limits page, "Expression parameters"): 4 KB of text, counted in UTF-8
 * bytes as sent (placeholders unexpanded), and 300 operators or functions. DynamoDB stops counting
 * at the 301st, so its message always reads "operator count: 301".
 */
const MAX_EXPRESSION_BYTES = 4096;
const MAX_OPERATORS = 300;
const MAX_DEPTH = 2 * (MAX_OPERATORS + 1) + 1;
/** IN takes at most 100 values, and counts as one operator however many it takes (the Limits page). */
const MAX_IN_OPERANDS = 100;

function pathText(path: Path): string {
  return `[${path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join(', ')}]`;
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly problems = new Map<Category, string>();
  private operators = 0;
  private depth = 0;

  constructor(private readonly src: string, private readonly label: string, private readonly ph: Placeholders, private readonly functions: Record<string, number>, private readonly order: readonly (Category | Category[])[]) {
    this.tokens = tokenize(src, (tok, prev, following) => this.syntaxAt(tok, prev, following));
  }

  error(message: string): AwsError {
    return new AwsError('ValidationException', `Invalid ${this.label}: ${message}`);
  }

  problem(cat: Category, message: string): void {
    if (!this.problems.has(cat)) this.problems.set(cat, message);
  }

  /** One more operator or function; parentheses, commas and SET's `=` are not operators. */
  operator(): void {
    if (++this.operators === MAX_OPERATORS + 1) this.problem('operators', `The expression contains too many operators; operator count: ${MAX_OPERATORS + 1}`);
  }

  /** Throws the first problem in DynamoDB's order, if any. */
  finish(): void {
    if (this.peek().kind !== 'eof') this.syntax(this.peek());
    this.throwProblem();
  }

  /** The first problem in DynamoDB's order; of a group, the one met first (problems keep the order they were met in). */
  private throwProblem(): void {
    for (const entry of this.order) {
      const found = [...this.problems.keys()].find((cat) => (typeof entry === 'string' ? cat === entry : entry.includes(cat)));
      if (found) throw this.error(this.problems.get(found)!);
    }
  }

  /**
   * One level deeper into parentheses, NOT or a function's arguments. Every level that is not a
   * redundant parenthesis costs an operator, so an expression nested deeper than two levels per
   * allowed operator is refused anyway, and is refused here before the recursion can exhaust the stack.
   */
  private enter(): void {
    if (++this.depth <= MAX_DEPTH) return;
    this.throwProblem();
    this.syntax(this.peek());
  }

  syntax(tok: Token): never {
    const i = this.tokens.indexOf(tok);
    return this.syntaxAt(tok, this.tokens[i - 1], this.tokens[i + 1]);
  }

  /**
   * DynamoDB quotes the text from the token before the offending one to the token after it, as
   * written ('a = = b' is near "= = b", 'SET book-price = :p' near "book-price", 'INVALID SYNTAX
   * HERE' near "INVALID SYNTAX"; the Parity Suite's recordings and users' reports).
   */
  syntaxAt(tok: Token, prev: Token | undefined, following: Token | undefined): never {
    const from = prev ? prev.start : tok.start;
    const last = following && following.kind !== 'eof' ? following : tok;
    const to = last.kind === 'eof' ? this.src.length : last.start + last.text.length;
    throw this.error(`Syntax error; token: "${tok.text}", near: "${this.src.slice(from, to).trim()}"`);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  isPunct(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.text === text;
  }

  isKeyword(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'name' && t.text.toUpperCase() === word;
  }

  expect(text: string): void {
    if (!this.isPunct(text)) this.syntax(this.peek());
    this.next();
  }

  value(tok: Token): Value {
    this.ph.usedValues.add(tok.text);
    const v = this.ph.values?.[tok.text];
    if (!v) {
      this.problem('attrValue', `An expression attribute value used in expression is not defined; attribute value: ${tok.text}`);
      return { NULL: true };
    }
    return v;
  }

  name(tok: Token): string {
    if (tok.kind === 'attrName') {
      this.ph.usedNames.add(tok.text);
      const n = this.ph.names?.[tok.text];
      if (n === undefined) {
        this.problem('attrName', `An expression attribute name used in the document path is not defined; attribute name: ${tok.text}`);
        return tok.text;
      }
      return n;
    }
    if (isReserved(tok.text)) this.problem('reserved', `Attribute name is a reserved keyword; reserved keyword: ${tok.text}`);
    return tok.text;
  }

  path(): Path {
    const first = this.next();
    if (first.kind !== 'name' && first.kind !== 'attrName') this.syntax(first);
    const path: Path = [this.name(first)];
    for (;;) {
      if (this.isPunct('.')) {
        this.next();
        const t = this.next();
        if (t.kind !== 'name' && t.kind !== 'attrName') this.syntax(t);
        path.push(this.name(t));
      } else if (this.isPunct('[')) {
        this.next();
        const t = this.next();
        if (t.kind !== 'number') this.syntax(t);
        path.push(Number(t.text));
        this.expect(']');
      } else return path;
    }
  }

  operand(): Operand {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === '(') {
      this.next();
      if (this.isPunct('(')) this.problem('parens', 'The expression has redundant parentheses;');
      this.enter();
      const inner = this.operand();
      this.expect(')');
      this.depth--;
      return inner;
    }
    if (t.kind === 'attrValue') {
      this.next();
      return { kind: 'value', value: this.value(t) };
    }
    if (t.kind === 'name' && this.isPunct('(', 1)) return this.call();
    if (t.kind === 'name' || t.kind === 'attrName') return { kind: 'path', path: this.path() };
    return this.syntax(t);
  }

  call(): Operand & { kind: 'call' } {
    const name = this.next().text;
    this.operator();
    // The name is judged before the arguments, so the outermost of nested unknown functions is named.
    const arity = Object.hasOwn(this.functions, name) ? this.functions[name] : undefined;
    if (arity === undefined) {
      // An update function in a condition is named as such, not as an unknown one.
      const misplaced = this.functions === CONDITION_FUNCTIONS && Object.hasOwn(UPDATE_FUNCTIONS, name);
      this.problem('unknownFunction', misplaced ? `The function is not allowed in a condition expression; function: ${name}` : `Invalid function name; function: ${name}`);
    }
    this.enter();
    this.expect('(');
    const args = [this.operand()];
    while (this.isPunct(',')) {
      this.next();
      args.push(this.operand());
    }
    this.expect(')');
    this.depth--;
    if (arity !== undefined && arity !== args.length) {
      this.problem('operands', `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${args.length}`);
    } else if (arity !== undefined) {
      this.checkCall(name, args);
    }
    // Conditions take only size() as a nested call; updates may nest if_not_exists but not list_append.
    const misused = args.find((a) => a.kind === 'call' && (this.label === 'UpdateExpression' ? a.name === 'list_append' : a.name !== 'size'));
    if (misused) this.problem('misusedFunction', `The function is not allowed to be used this way in an expression; function: ${(misused as { name: string }).name}`);
    return { kind: 'call', name, args };
  }

  private checkCall(name: string, args: Operand[]): void {
    const type = (o: Operand | undefined) => (o?.kind === 'value' ? typeOf(o.value) : undefined);
    const fn = (m: string) => this.problem('function', m);
    const wrongType = (t: string) => fn(`Incorrect operand type for operator or function; operator or function: ${name}, operand type: ${t}`);
    switch (name) {
      case 'attribute_exists': case 'attribute_not_exists': case 'if_not_exists':
        if (args[0]!.kind !== 'path') fn(`Operator or function requires a document path; operator or function: ${name}`);
        break;
      case 'attribute_type': {
        const t = type(args[1]);
        if (t !== 'S') wrongType(t ?? `{${ATTRIBUTE_TYPES.join(',')}}`);
        else if (!ATTRIBUTE_TYPES.includes((args[1] as { value: Value }).value.S!)) fn(`Invalid attribute type name found; type: ${(args[1] as { value: Value }).value.S}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
        break;
      }
      case 'begins_with':
        for (const a of args) {
          const t = type(a);
          if (t && t !== 'S' && t !== 'B') { wrongType(t); break; }
        }
        break;
      case 'size': {
        const t = type(args[0]);
        if (t === 'N' || t === 'BOOL' || t === 'NULL') wrongType(t);
        break;
      }
      case 'list_append':
        for (const a of args) {
          const t = type(a);
          if (t && t !== 'L') { wrongType(t); break; }
        }
        break;
    }
    const [a, b] = args;
    if (a?.kind === 'path' && b?.kind === 'path' && pathText(a.path) === pathText(b.path) && name !== 'if_not_exists') {
      this.problem('distinct', `The first operand must be distinct from the remaining operands for this operator or function; operator: ${name}, first operand: ${pathText(a.path)}`);
    }
  }

  // condition := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
  condition(): Condition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.next();
      this.operator();
      left = { kind: 'or', args: [left, this.and()] };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.isKeyword('AND')) {
      this.next();
      this.operator();
      left = { kind: 'and', args: [left, this.not()] };
    }
    return left;
  }

  private not(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      this.operator();
      this.enter();
      const inner = this.not();
      this.depth--;
      return { kind: 'not', args: [inner] };
    }
    return this.primary();
  }

  private primary(): Condition {
    if (this.isPunct('(') && this.startsCondition()) {
      const open = this.pos;
      this.next();
      if (this.isPunct('(') && this.tokens[this.matchingClose(open + 1) + 1] === this.tokens[this.matchingClose(open)]) {
        this.problem('parens', 'The expression has redundant parentheses;');
      }
      this.enter();
      const inner = this.condition();
      this.expect(')');
      this.depth--;
      return inner;
    }
    const left = this.operand();
    const t = this.peek();
    if (t.kind === 'punct' && ['=', '<>', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      this.operator();
      const right = this.operand();
      this.misused([left, right]);
      this.distinct(t.text, left, right);
      if (t.text !== '=' && t.text !== '<>') this.orderable(t.text, [left, right]);
      return { kind: 'compare', op: t.text as Comparator, args: [left, right] };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      this.operator();
      const lo = this.operand();
      if (!this.isKeyword('AND')) this.syntax(this.peek());
      this.next();
      const hi = this.operand();
      this.misused([left, lo, hi]);
      this.orderable('BETWEEN', [left, lo, hi]);
      this.checkBetween(lo, hi);
      return { kind: 'between', args: [left, lo, hi] };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.operator();
      this.expect('(');
      const args = [left, this.operand()];
      while (this.isPunct(',')) {
        this.next();
        args.push(this.operand());
      }
      this.expect(')');
      this.misused(args);
      if (args.length - 1 > MAX_IN_OPERANDS) this.problem('operands', `The IN operator is provided with too many operands; number of operands: ${args.length - 1}`);
      return { kind: 'in', args };
    }
    if (left.kind === 'call') {
      if (left.name === 'size') this.problem('misusedFunction', 'The function is not allowed to be used this way in an expression; function: size');
      return left;
    }
    return this.syntax(t);
  }

  /** Index of the ')' closing the '(' at `open`. */
  private matchingClose(open: number): number {
    return this.tokens[open]!.close ?? this.tokens.length - 1;
  }

  /**
   * After a '(' : is this a parenthesised condition rather than a parenthesised operand? Only the
   * group's own level is read; nested groups are stepped over whole.
   */
  private startsCondition(): boolean {
    const close = this.matchingClose(this.pos);
    for (let i = this.pos + 1; i < close; i++) {
      const t = this.tokens[i]!;
      if (t.kind === 'punct' && t.text === '(') i = this.matchingClose(i);
      else if (t.kind === 'name' && ['AND', 'OR', 'NOT', 'BETWEEN', 'IN'].includes(t.text.toUpperCase()) || (t.kind === 'punct' && ['=', '<>', '<', '<=', '>', '>='].includes(t.text))) return true;
    }
    const after = this.tokens[close + 1];
    if (!after) return false;
    return !(after.kind === 'punct' && ['=', '<>', '<', '<=', '>', '>='].includes(after.text)) && !(after.kind === 'name' && ['BETWEEN', 'IN'].includes(after.text.toUpperCase()));
  }

  private misused(args: Operand[]): void {
    for (const a of args) if (a.kind === 'call' && a.name !== 'size') this.problem('misusedFunction', `The function is not allowed to be used this way in an expression; function: ${a.name}`);
  }

  private distinct(op: string, a: Operand, b: Operand): void {
    if (a.kind === 'path' && b.kind === 'path' && pathText(a.path) === pathText(b.path)) {
      this.problem('distinct', `The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${pathText(a.path)}`);
    }
  }

  /** Ordering compares only strings, numbers and binaries; a constant of another type is an error, not a false. */
  private orderable(op: string, args: Operand[]): void {
    for (const a of args) {
      if (a.kind !== 'value') continue;
      const t = typeOf(a.value);
      if (t !== 'S' && t !== 'N' && t !== 'B') this.problem('function', `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${t}`);
    }
  }

  private checkBetween(lo: Operand, hi: Operand): void {
    if (lo.kind !== 'value' || hi.kind !== 'value') return;
    const t1 = typeOf(lo.value);
    const t2 = typeOf(hi.value);
    const bounds = `lower bound operand: AttributeValue: ${showValue(lo.value)}, upper bound operand: AttributeValue: ${showValue(hi.value)}`;
    if (t1 !== t2) this.problem('function', `The BETWEEN operator requires same data type for lower and upper bounds; ${bounds}`);
    else if ((compareValues(lo.value, hi.value) ?? 0) > 0) this.problem('function', `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ${bounds}`);
  }

  updateValue(): Operand {
    const left = this.updateOperand();
    if (this.isPunct('+') || this.isPunct('-')) {
      const op = this.next().text as '+' | '-';
      this.operator();
      const right = this.updateOperand();
      for (const a of [left, right]) {
        if (a.kind === 'value' && typeOf(a.value) !== 'N') {
          this.problem('function', `Incorrect operand type for operator or function; operator or function: ${op}, operand type: ${typeOf(a.value)}`);
          break;
        }
      }
      return { kind: 'arith', op, args: [left, right] };
    }
    return left;
  }

  /** An operand of a SET value, where parentheses may hold arithmetic: `SET c = (c - :v)`. */
  private updateOperand(): Operand {
    if (!this.isPunct('(')) return this.operand();
    this.next();
    this.enter();
    if (this.isPunct('(')) this.problem('parens', 'The expression has redundant parentheses;');
    const inner = this.updateValue();
    this.expect(')');
    this.depth--;
    return inner;
  }

  update(): UpdateAction[] {
    const actions: UpdateAction[] = [];
    const seen = new Set<string>();
    const paths: Path[] = [];
    const track = (path: Path) => {
      for (const p of paths) {
        const n = Math.min(p.length, path.length);
        let i = 0;
        while (i < n && p[i] === path[i]) i++;
        if (i === n) this.problem('overlap', `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(p)}, path two: ${pathText(path)}`);
        else if (typeof p[i] !== typeof path[i]) this.problem('overlap', `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathText(p)}, path two: ${pathText(path)}`);
      }
      paths.push(path);
    };
    do {
      const t = this.next();
      const section = t.kind === 'name' ? t.text.toUpperCase() : '';
      if (!['SET', 'REMOVE', 'ADD', 'DELETE'].includes(section)) this.syntax(t);
      if (seen.has(section)) this.problem('section', `The "${section}" section can only be used once in an update expression;`);
      seen.add(section);
      for (;;) {
        const path = this.path();
        track(path);
        if (section === 'SET') {
          this.expect('=');
          actions.push({ kind: 'SET', path, value: this.updateValue() });
        } else if (section === 'REMOVE') {
          actions.push({ kind: 'REMOVE', path });
        } else {
          const v = this.next();
          if (v.kind !== 'attrValue') this.syntax(v);
          const value = this.value(v);
          const type = typeOf(value);
          if (OPERAND_TYPE_NAMES[type] && !(section === 'ADD' && type === 'N')) {
            this.problem('operand', `Incorrect operand type for operator or function; operator: ${section}, operand type: ${OPERAND_TYPE_NAMES[type]}`);
          }
          actions.push({ kind: section as 'ADD' | 'DELETE', path, value });
        }
        if (!this.isPunct(',')) break;
        this.next();
      }
    } while (this.peek().kind !== 'eof');
    return actions;
  }

  projection(): Path[] {
    const paths: Path[] = [this.path()];
    while (this.isPunct(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

/**
 * What is judged of the text before it is parsed. Its size comes before anything else, a syntax
 * error included (ScyllaDB's Alternator tests, run against DynamoDB), and it bounds how deeply the
 * recursive parser can nest.
 */
function checkText(src: string, label: string): void {
  // A text of at most a third as many UTF-16 units as the limit cannot reach it in UTF-8.
  if (src.length * 3 > MAX_EXPRESSION_BYTES) {
    const bytes = Buffer.byteLength(src);
    // Conditions and filters tell their size; update and projection expressions do not (the Parity
    // Suite's recordings of a transaction's Update and Delete; other emulators' recordings agree).
    const size = label === 'UpdateExpression' || label === 'ProjectionExpression' ? '' : ` expression size: ${bytes}`;
    if (bytes > MAX_EXPRESSION_BYTES) throw new AwsError('ValidationException', `Invalid ${label}: Expression size has exceeded the maximum allowed size;${size}`);
  }
  if (src.trim() === '') throw new AwsError('ValidationException', `Invalid ${label}: The expression can not be empty;`);
}

/** The document paths a condition reads, in the order they appear. */
export function conditionPaths(c: Condition): Path[] {
  const out: Path[] = [];
  const walk = (x: Condition | Operand) => {
    if (x.kind === 'path') out.push(x.path);
    else if ('args' in x) (x.args as (Condition | Operand)[]).forEach(walk);
  };
  walk(c);
  return out;
}

export function parseCondition(src: string, label: string, ph: Placeholders): Condition {
  checkText(src, label);
  const p = new Parser(src, label, ph, CONDITION_FUNCTIONS, label === 'KeyConditionExpression' ? KEY_CONDITION_ORDER : CONDITION_ORDER);
  const c = p.condition();
  p.finish();
  return c;
}

export function parseUpdate(src: string, ph: Placeholders): UpdateAction[] {
  checkText(src, 'UpdateExpression');
  const p = new Parser(src, 'UpdateExpression', ph, UPDATE_FUNCTIONS, UPDATE_ORDER);
  const actions = p.update();
  p.finish();
  return actions;
}

export function parseProjection(src: string, ph: Placeholders): Path[] {
  checkText(src, 'ProjectionExpression');
  const p = new Parser(src, 'ProjectionExpression', ph, {}, CONDITION_ORDER);
  const paths = p.projection();
  p.finish();
  for (let i = 0; i < paths.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = paths[j]!;
      const b = paths[i]!;
      const n = Math.min(a.length, b.length);
      let k = 0;
      while (k < n && a[k] === b[k]) k++;
      if (k === n) throw p.error(`Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`);
      if (typeof a[k] !== typeof b[k]) throw p.error(`Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathText(a)}, path two: ${pathText(b)}`);
    }
  }
  return paths;
}
