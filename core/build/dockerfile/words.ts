/**
 * Docker's word rules for the instructions it expands (FROM, COPY, ADD, ENV,
 * ARG, LABEL, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL): quotes, the escape
 * character, and `$a`, `${a}`, `${a:-b}`, `${a-b}`, `${a:+b}`, `${a+b}`,
 * `${a:?msg}`, `${a?msg}`, as BuildKit's shell lexer reads them. RUN, CMD and
 * ENTRYPOINT are left to the image's shell.
 *
 * @example
 * ```ts
 * import { expandWord, splitWords } from "./words.ts";
 *
 * expandWord(`"$A b"-\${C:-d}`, { A: "a" }, "\\"); // "a b-d"
 * splitWords(`a=1 b="2 3"`, "\\"); // ["a=1", `b="2 3"`]
 * ```
 *
 * @module
 */

import { PlashError } from "../../errors.ts";

/** The values variables have: a stage's ENV and the ARGs in scope. */
export type Variables = Record<string, string>;

/**
 * `text` split at unquoted, unescaped whitespace, quotes and escapes kept
 * (expanded later, word by word): how ENV and LABEL find their pairs.
 */
export function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "" && /\s/.test(ch)) {
      if (inWord) words.push(word), word = "", inWord = false;
      continue;
    }
    inWord = true;
    word += ch;
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      word += text[++i];
    } else if (quote === "" && (ch === '"' || ch === "'")) {
      quote = ch;
    } else if (ch === quote) {
      quote = "";
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** `text` with its quotes and escapes resolved and its variables expanded. */
export function expandWord(text: string, vars: Variables, escape: string): string {
  return new Lexer(text, vars, escape).word();
}

/** `text` split into words (see {@linkcode splitWords}), each expanded. */
export function expandWords(text: string, vars: Variables, escape: string): string[] {
  return splitWords(text, escape).map((word) => expandWord(word, vars, escape));
}

class Lexer {
  #pos = 0;
  constructor(
    readonly text: string,
    readonly vars: Variables,
    readonly escape: string,
  ) {}

  word(stop = ""): string {
    let out = "";
    while (this.#pos < this.text.length) {
      const ch = this.text[this.#pos];
      if (stop.includes(ch)) break;
      this.#pos++;
      if (ch === this.escape) {
        // A trailing escape is dropped, any other escaped character kept as is.
        if (this.#pos < this.text.length) out += this.text[this.#pos++];
      } else if (ch === "'") {
        out += this.#until("'");
      } else if (ch === '"') {
        out += this.#doubleQuoted();
      } else if (ch === "$") {
        out += this.#dollar();
      } else {
        out += ch;
      }
    }
    return out;
  }

  #until(end: string): string {
    const close = this.text.indexOf(end, this.#pos);
    if (close === -1) {
      throw new PlashError(`unexpected end of statement while looking for matching ${end}`);
    }
    const inner = this.text.slice(this.#pos, close);
    this.#pos = close + 1;
    return inner;
  }

  #doubleQuoted(): string {
    let out = "";
    while (this.#pos < this.text.length) {
      const ch = this.text[this.#pos++];
      if (ch === '"') return out;
      if (ch === "$") {
        out += this.#dollar();
      } else if (ch === this.escape && this.#pos < this.text.length) {
        // Only these may be escaped in double quotes; other escapes stay as written.
        const next = this.text[this.#pos];
        if (next === '"' || next === "$" || next === this.escape) out += next, this.#pos++;
        else out += ch;
      } else {
        out += ch;
      }
    }
    throw new PlashError('unexpected end of statement while looking for matching "');
  }

  #dollar(): string {
    const ch = this.text[this.#pos];
    if (ch === "{") {
      this.#pos++;
      return this.#braced();
    }
    const name = this.#name();
    return name === "" ? "$" : this.vars[name] ?? "";
  }

  #name(): string {
    const match = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9])/.exec(this.text.slice(this.#pos));
    if (!match) return "";
    this.#pos += match[0].length;
    return match[0];
  }

  #braced(): string {
    const name = this.#name();
    if (name === "") throw new PlashError(`bad substitution: \${${this.text.slice(this.#pos)}`);
    const set = Object.hasOwn(this.vars, name);
    const value = this.vars[name] ?? "";
    if (this.text[this.#pos] === "}") {
      this.#pos++;
      return value;
    }
    const colon = this.text[this.#pos] === ":";
    if (colon) this.#pos++;
    const op = this.text[this.#pos++];
    if (op !== "-" && op !== "+" && op !== "?") {
      throw new PlashError(`unsupported modifier (${op}) in substitution: \${${name}`);
    }
    const word = this.word("}");
    if (this.text[this.#pos] !== "}") throw new PlashError(`missing '}' in \${${name}`);
    this.#pos++;
    // With a colon an empty value counts as unset, as in the shell.
    const given = colon ? value !== "" : set;
    if (op === "-") return given ? value : word;
    if (op === "+") return given ? word : "";
    if (!given) throw new PlashError(`${name}: ${word || "is not allowed to be unset"}`);
    return value;
  }
}
