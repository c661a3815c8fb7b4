# Sourced by bench/runc.sh and bench/peers.sh: make_runc_bundle RUNC makes
# $work/bundle from $work/rootfs with RUNC's own template (`runc spec`),
# made runnable on a hybrid cgroup host: no resources, no cgroup namespace,
# no terminal, `true` as the command. Needs $work and $deno.

make_runc_bundle() {
  mkdir "$work/bundle"
  cp -a "$work/rootfs" "$work/bundle/rootfs"
  (cd "$work/bundle" && "$1" spec)
  "$deno" eval '
    const file = Deno.args[0];
    const config = JSON.parse(Deno.readTextFileSync(file));
    config.process.terminal = false;
    config.process.args = ["true"];
    delete config.linux.resources;
    config.linux.namespaces = config.linux.namespaces.filter((n) => n.type !== "cgroup");
    Deno.writeTextFileSync(file, JSON.stringify(config, null, 2));
  ' "$work/bundle/config.json"
}
