# Sourced by the registry benchmarks (pull.sh, push.sh): start_registry DIR
# starts Debian's docker-registry on a free port of 127.0.0.1, its storage in
# DIR/storage, and waits until it answers; it sets $host (127.0.0.1:PORT)
# and $registry_pid (for the caller's cleanup to kill). Needs $deno.

start_registry() {
  port=$("$deno" eval 'const l = Deno.listen({ hostname: "127.0.0.1", port: 0 }); console.log(l.addr.port); l.close()')
  host=127.0.0.1:$port
  cat >"$1/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $1/storage
http:
  addr: $host
  secret: plash-bench
YAML
  docker-registry serve "$1/registry.yml" >"$1/registry.log" 2>&1 &
  registry_pid=$!
  "$deno" eval "for (let i = 0; ; i++) { try { await (await fetch('http://$host/v2/')).body?.cancel(); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); } }"
}
