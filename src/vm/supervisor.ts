// Supervisor trees (SPEC §3). Work in progress: supervisors land with their issue.
import type { VMCore } from "./vm-core.js";
export function installSupervisors(vm: VMCore): void {
  void vm;
}
