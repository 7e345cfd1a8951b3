import { defineEndToEndSuite } from '../support/e2e-suite.ts'

defineEndToEndSuite('embedded')
