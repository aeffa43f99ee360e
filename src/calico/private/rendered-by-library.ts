/**
 * Policies the library renders from its own model are built from values the constructs already validated
 * (selectors, CIDRs, ports, names): re-running Calico's rule checks on them is a self-check of the renderer,
 * which at 5,000 zones is 170,000 rules and about a second of every synth. The self-check runs in the tests
 * (CDK8S_EGRESS_CHECK_RENDERED=1, set by the jest setup) and whenever that variable is set; policies that
 * users build with the L1 classes are always checked.
 */
let depth = 0;

/** Runs `render` with the rule self-check off for the policies it creates. */
export function renderFromModel<T>(render: () => T): T {
  depth++;
  try {
    return render();
  } finally {
    depth--;
  }
}

/** Whether a policy spec being constructed now must be checked. */
export function mustCheckPolicySpec(): boolean {
  return depth === 0 || process.env.CDK8S_EGRESS_CHECK_RENDERED === '1';
}

/** Whether the library is rendering from its model now (rule objects it builds are never changed afterwards). */
export function renderingFromModel(): boolean {
  return depth > 0;
}
