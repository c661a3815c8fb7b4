/**
 * Shell completion scripts for bash, zsh and fish, generated from the
 * command table and the macro table: command names, each command's options
 * and what each of its positional arguments is (an image, a file, a
 * directory, a command, a macro), read from its usage line. Image ids,
 * names and references come from the store when the shell completes, by
 * the hidden `plash complete-images`.
 *
 * @example
 * ```ts
 * import { completionScript } from "./completion.ts";
 *
 * const script = completionScript("bash"); // `source <(plash completion bash)`
 * ```
 *
 * @module
 */

import { MACROS } from "../build/macros.ts";
import { allCommands, type Command } from "./commands/mod.ts";

/** The shells plash writes completion for. */
export const SHELLS = ["bash", "zsh", "fish"] as const;

/** What a positional argument or an option's value completes to. */
export type ArgKind = "image" | "file" | "dir" | "command" | "subcommand" | "macro" | "none";

/** What each word of a usage line names (its first alternative: `FILE|-` is FILE). */
const KINDS: Record<string, ArgKind> = {
  ID: "image",
  PARENT: "image",
  KEY: "image",
  NAME: "image",
  FILE: "file",
  PATH: "file",
  PLASHFILE: "file",
  ARG: "file",
  DIR: "dir",
  MOUNTPOINT: "dir",
  CHANGESDIR: "dir",
  CMD: "command",
  MACRO: "macro",
};

/** Commands whose CMD is one of plash's own. */
const PLASH_CMD = new Set(["help", "b"]);

/** What one command's words complete to. */
export interface CommandCompletion {
  name: string;
  summary: string;
  /** Every option, `--name` and `-n`. */
  options: string[];
  /** The options that take a value, with what the value completes to. */
  valued: [string, ArgKind][];
  /** Each positional argument's kind, in order; `repeat` says the last repeats. */
  positionals: ArgKind[];
  repeat: boolean;
  /** Literal words a positional may be (`bash|zsh|fish`). */
  words: string[];
  /** Options are read only before the first positional argument. */
  optionsFirst: boolean;
}

/**
 * How `command`'s words complete, from its declaration.
 *
 * @example
 * ```ts
 * import { commandCompletion } from "./completion.ts";
 * import { findCommand } from "./commands/mod.ts";
 *
 * commandCompletion(findCommand("run")!).positionals; // ["image", "command", "file"]
 * ```
 */
export function commandCompletion(command: Command): CommandCompletion {
  const options = (command.options ?? []).flatMap((option) => [
    `--${option.name}`,
    ...(option.short ? [`-${option.short}`] : []),
  ]);
  const valued: [string, ArgKind][] = (command.options ?? []).filter((option) => option.value)
    .flatMap((option) => {
      const kind = KINDS[option.value!] ?? "none";
      return [
        [`--${option.name}`, kind] as [string, ArgKind],
        ...(option.short ? [[`-${option.short}`, kind] as [string, ArgKind]] : []),
      ];
    });
  const tokens = command.usage.replace(/[\[\]]/g, " ").split(/\s+/).filter((token) =>
    token !== "" && token !== "--" && token !== "''"
  );
  const words: string[] = [];
  const positionals: ArgKind[] = [];
  let repeat = false;
  for (const token of tokens) {
    const bare = token.replace(/\.\.\.$/, "");
    const alternatives = bare.split("|");
    if (alternatives.every((each) => /^[a-z]+$/.test(each))) {
      words.push(...alternatives);
      positionals.push("none");
    } else {
      const word = alternatives[0].replace(/[^A-Z].*$/, "");
      const kind = word === "CMD" && PLASH_CMD.has(command.name) ? "subcommand" : KINDS[word];
      positionals.push(kind ?? "none");
    }
    if (token.endsWith("...")) repeat = true;
  }
  // Raw commands read macros: build MACRO..., b CMD MACRO...
  if (command.raw && tokens.some((token) => token.startsWith("MACRO"))) {
    const before = command.name === "b" ? ["subcommand" as const] : [];
    // Their words are macros, dashes and all: no options to offer.
    return {
      ...base(command, [], []),
      options: [],
      positionals: [...before, "macro"],
      repeat: true,
      words,
    };
  }
  return { ...base(command, options, valued), positionals, repeat, words };
}

function base(command: Command, options: string[], valued: [string, ArgKind][]) {
  return {
    name: command.name,
    summary: command.summary,
    options: [...options, "--help"],
    valued,
    optionsFirst: !!command.optionsFirst,
  };
}

/** The commands a user completes: all but the hidden plumbing. */
function shown(): CommandCompletion[] {
  return allCommands().filter((command) => !command.hidden).map(commandCompletion);
}

/** Every macro name, long and short. */
function macroNames(): string[] {
  return MACROS.flatMap((macro) => macro.names);
}

/** `text` in single quotes (it holds none), for sh, bash, zsh and fish alike. */
function quoted(text: string): string {
  if (text.includes("'")) throw new Error(`a quote in ${text}`);
  return `'${text}'`;
}

/** The `case` branches that set each command's completion, for bash and zsh. */
function cases(commands: CommandCompletion[]): string {
  return commands.map((command) =>
    `    ${command.name}) opts=${quoted(command.options.join(" "))} valued=${
      quoted(command.valued.map(([option, kind]) => `${option}=${kind}`).join(" "))
    } kinds=${quoted(command.positionals.join(" "))} repeat=${command.repeat ? 1 : 0} lits=${
      quoted(command.words.join(" "))
    } first=${command.optionsFirst ? 1 : 0} ;;`
  ).join("\n");
}

/**
 * The completion script for `shell`.
 *
 * @example
 * ```ts
 * import { completionScript } from "./completion.ts";
 *
 * completionScript("fish").includes("complete -c plash"); // true
 * ```
 */
export function completionScript(shell: typeof SHELLS[number]): string {
  const commands = shown();
  const tables = `_plash_commands=${quoted(commands.map((command) => command.name).join(" "))}
_plash_macros=${quoted(macroNames().join(" "))}
`;
  if (shell === "fish") return fishScript(commands);
  if (shell === "zsh") return zshScript(commands, tables);
  return bashScript(commands, tables);
}

function bashScript(commands: CommandCompletion[], tables: string): string {
  return `# bash completion for plash, generated by \`plash completion bash\` from its command
# and macro tables: source <(plash completion bash), or save it as
# ~/.local/share/bash-completion/completions/plash
${tables}_plash_reply() { # KIND CUR: the candidates of KIND, a line each
  case "$1" in
    image) compgen -W "$(plash complete-images 2>/dev/null)" -- "$2" ;;
    file) compgen -f -- "$2" ;;
    dir) compgen -d -- "$2" ;;
    command) compgen -c -- "$2" ;;
    subcommand) compgen -W "$_plash_commands" -- "$2" ;;
    macro) compgen -W "$_plash_macros" -- "$2" ;;
  esac
}
_plash() {
  # The words as typed, split at white space only: bash splits at ':' too (alpine:3.20).
  local line="\${COMP_LINE:0:COMP_POINT}" words cur
  read -ra words <<< "$line"
  if [[ -z "$line" || "$line" =~ [[:space:]]$ ]]; then
    cur=""
  else
    cur="\${words[\${#words[@]}-1]}"
    unset 'words[\${#words[@]}-1]'
  fi
  local opts="" valued="" kinds="" repeat=0 lits="" first=0 cmd="\${words[1]}" reply
  if [ \${#words[@]} -le 1 ]; then
    if [[ "$cur" == -* ]]; then
      reply=$(compgen -W "--help --version --help-macros $_plash_macros" -- "$cur")
    else
      reply=$(compgen -W "$_plash_commands" -- "$cur")
    fi
  else
    case "$cmd" in
${cases(commands)}
    -*) kinds="macro" repeat=1 ;;
    esac
    # Count the positional arguments before the current word; see if it is an option's value.
    local count=0 i value="" word pair
    for ((i = 2; i < \${#words[@]}; i++)); do
      word="\${words[i]}"
      if [[ "$word" == -* && -n "$opts" && ( $first = 0 || $count = 0 ) ]]; then
        for pair in $valued; do
          if [ "\${pair%%=*}" = "$word" ]; then
            i=$((i + 1))
            [ $i -eq \${#words[@]} ] && value="\${pair#*=}"
          fi
        done
      else
        count=$((count + 1))
      fi
    done
    local list=($kinds) kind=none
    if [ $count -lt \${#list[@]} ]; then
      kind="\${list[count]}"
    elif [ $repeat = 1 ]; then
      kind="\${list[\${#list[@]}-1]}"
    fi
    if [ -n "$value" ]; then
      reply=$(_plash_reply "$value" "$cur")
    elif [[ "$cur" == -* && -n "$opts" && ( $first = 0 || $count = 0 ) ]]; then
      reply=$(compgen -W "$opts" -- "$cur")
    elif [ -n "$lits" ] && [ $count -eq 0 ]; then
      reply=$(compgen -W "$lits" -- "$cur")
    else
      reply=$(_plash_reply "$kind" "$cur")
    fi
  fi
  COMPREPLY=()
  local each
  while IFS= read -r each; do [ -n "$each" ] && COMPREPLY+=("$each"); done <<< "$reply"
  # bash replaces only what follows the word's last ':'.
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local colon="\${cur%"\${cur##*:}"}"
    COMPREPLY=("\${COMPREPLY[@]#"$colon"}")
  fi
}
complete -o filenames -F _plash plash
`;
}

function zshScript(commands: CommandCompletion[], tables: string): string {
  const described = commands.map((command) =>
    quoted(`${command.name}:${command.summary.replaceAll("'", "’").replaceAll(":", "\\:")}`)
  ).join(" \\\n    ");
  return `#compdef plash
# zsh completion for plash, generated by \`plash completion zsh\` from its command and
# macro tables: save it as _plash in a directory of $fpath, or source <(plash completion zsh)
# after compinit.
${tables}_plash_reply() { # KIND: the candidates of KIND
  case $1 in
    image) compadd -- \${(f)"$(plash complete-images 2>/dev/null)"} ;;
    file) _files ;;
    dir) _files -/ ;;
    command) _command_names -e ;;
    subcommand) compadd -- \${=_plash_commands} ;;
    macro) compadd -- \${=_plash_macros} ;;
  esac
}
_plash() {
  local cur=\${words[CURRENT]} cmd=\${words[2]}
  local opts="" valued="" kinds="" repeat=0 lits="" first=0
  if (( CURRENT == 2 )); then
    if [[ $cur == -* ]]; then
      compadd -- --help --version --help-macros \${=_plash_macros}
    else
      local -a described=(
    ${described}
      )
      _describe command described
    fi
    return
  fi
  case $cmd in
${cases(commands)}
  -*) kinds="macro" repeat=1 ;;
  esac
  local count=0 i value="" word pair
  for (( i = 3; i < CURRENT; i++ )); do
    word=\${words[i]}
    if [[ $word == -* && -n $opts && ( $first = 0 || $count = 0 ) ]]; then
      for pair in \${=valued}; do
        if [[ \${pair%%=*} == $word ]]; then
          (( i++ ))
          (( i == CURRENT )) && value=\${pair#*=}
        fi
      done
    else
      (( count++ ))
    fi
  done
  local -a list=(\${=kinds})
  local kind=none
  if (( count < \${#list} )); then kind=\${list[count + 1]}; elif (( repeat )); then kind=\${list[-1]}; fi
  if [[ -n $value ]]; then
    _plash_reply $value
  elif [[ $cur == -* && -n $opts && ( $first = 0 || $count = 0 ) ]]; then
    compadd -- \${=opts}
  elif [[ -n $lits && $count = 0 ]]; then
    compadd -- \${=lits}
  else
    _plash_reply $kind
  fi
}
if [ "$funcstack[1]" = _plash ]; then _plash "$@"; else compdef _plash plash; fi
`;
}

function fishScript(commands: CommandCompletion[]): string {
  const lines = [
    "# fish completion for plash, generated by `plash completion fish` from its command and",
    "# macro tables: plash completion fish | source, or save it as",
    "# ~/.config/fish/completions/plash.fish",
    "complete -c plash -f",
    "complete -c plash -n __fish_use_subcommand -l help -d 'explain plash'",
    'complete -c plash -n __fish_use_subcommand -l version -d "print plash\'s version"',
  ];
  const desc = (text: string) => quoted(text.replaceAll("'", "’"));
  for (const command of commands) {
    lines.push(
      `complete -c plash -n __fish_use_subcommand -a ${command.name} -d ${desc(command.summary)}`,
    );
    const when = `-n '__fish_seen_subcommand_from ${command.name}'`;
    for (const option of command.options) {
      const value = command.valued.find(([name]) => name === option)?.[1];
      const flag = option.startsWith("--") ? `-l ${option.slice(2)}` : `-s ${option.slice(1)}`;
      const files = value === "file" || value === "dir" ? " -F" : "";
      lines.push(`complete -c plash ${when} ${flag}${value ? " -r" : ""}${files}`);
    }
    const kinds = new Set(command.positionals);
    if (kinds.has("image")) lines.push(`complete -c plash ${when} -a '(plash complete-images)'`);
    if (kinds.has("file") || kinds.has("dir")) lines.push(`complete -c plash ${when} -F`);
    if (kinds.has("subcommand")) {
      lines.push(
        `complete -c plash ${when} -a ${quoted(commands.map((each) => each.name).join(" "))}`,
      );
    }
    if (kinds.has("macro")) {
      lines.push(`complete -c plash ${when} -a ${quoted(macroNames().join(" "))}`);
    }
    if (command.words.length) {
      lines.push(`complete -c plash ${when} -a ${quoted(command.words.join(" "))}`);
    }
  }
  lines.push(`complete -c plash -n __fish_use_subcommand -a ${quoted(macroNames().join(" "))}`);
  return lines.join("\n") + "\n";
}
