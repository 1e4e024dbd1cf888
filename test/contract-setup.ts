import { describeViolation, enableContractChecks, takeViolations } from '../local/contract-check';

/**
 * Contract tests for every test file: each local mode started here validates every response it
 * sends against docs/openapi.json's schema for the operation and status, and the test that
 * received a response that breaks it fails with the operation, the status and ajv's errors.
 */
enableContractChecks();

function failOnViolations(): void {
  const violations = takeViolations();
  if (violations.length > 0) throw new Error(violations.map(describeViolation).join('\n'));
}

afterEach(failOnViolations);
afterAll(failOnViolations);
