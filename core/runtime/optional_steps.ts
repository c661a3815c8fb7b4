/**
 * The operations only some containers have: supplementary groups, device
 * nodes and the /dev of the container's own they go into, hooks, a network
 * namespace of its own, read-only binds (`:ro`, a build step's /home); the
 * user switch (`-u`, an image's USER, `become_user.ts`) is loaded apart. A
 * plain run has none of them, so they are not loaded with the executor
 * (`execute.ts`) but by its `prepareExecution`, for a plan that has one, in
 * plash's own process before anything of the plan runs (never in the clone
 * child: see `prepareExecution`).
 *
 * @module
 */

export { enterEmptyNetworkNamespace } from "../../ffi/network_namespace.ts";
export { addGroups, hostNodes, placeDevice, runHookStep } from "./edit_steps.ts";
export { makeOwnDev } from "./own_dev.ts";
export { applyReadOnlyBind } from "./read_only_bind.ts";
