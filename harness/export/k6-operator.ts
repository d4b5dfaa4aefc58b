/**
 * The k6-operator manifests for an exported script: a ConfigMap holding script.js and a TestRun
 * that runs it on `parallelism` pods. k6 splits every arrival rate across the pods with its
 * execution segments, so the script needs no change; thresholds are judged per pod (k6-operator
 * has no merged verdict), which the manifest says in a comment.
 *
 * @example
 * writeFileSync('testrun.yaml', testRunYaml({ name: 'picco-card-peak', parallelism: 4, script }));
 */
import { stringify } from 'yaml';

export function testRunYaml(o: { name: string; parallelism: number; script: string; target?: string }): string {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: o.name },
    data: { 'script.js': o.script },
  };
  const testRun = {
    apiVersion: 'k6.io/v1alpha1',
    kind: 'TestRun',
    metadata: { name: o.name },
    spec: {
      parallelism: o.parallelism,
      separate: true,
      arguments: `--tag testid=${o.name}`,
      script: { configMap: { name: o.name, file: 'script.js' } },
      ...(o.target !== undefined ? { runner: { env: [{ name: 'PICCO_TARGET', value: o.target }] } } : {}),
    },
  };
  return [
    `# k6-operator: kubectl apply -f testrun.yaml (runs script.js on ${o.parallelism} pods; k6 splits the rates by execution segment).`,
    '# Thresholds are judged per pod; for SLOs over the union use picco segments + picco report --merge (deploy/kubernetes).',
    stringify(configMap, { lineWidth: 0 }).trimEnd(),
    '---',
    stringify(testRun).trimEnd(),
    '',
  ].join('\n');
}
