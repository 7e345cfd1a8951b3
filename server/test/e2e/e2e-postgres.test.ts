import { describe, it } from 'vitest'
import { defineEndToEndSuite } from '../support/e2e-suite.ts'
import { TEST_DATABASE_URL } from '../support/leash.ts'

// CI always provides PostgreSQL (.ci/run); on a laptop without it this suite is skipped, visibly.
if (TEST_DATABASE_URL || process.env.CI) {
  defineEndToEndSuite('postgres')
} else {
  describe.skip('end to end on postgres stores (set LEASH_TEST_DATABASE_URL to run)', () => {
    it('needs PostgreSQL', () => {})
  })
}
