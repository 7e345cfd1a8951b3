import type { Source } from '../../exchange/record.ts'
import type { DemoPrompt } from '../types.ts'

const SYSTEM = 'Answer using only the provided sources and cite them like [1].'

function doc(id: string, text: string, url?: string): Source {
  return url ? { id, text, url } : { id, text }
}

const CASES: Array<[string, Source[]]> = [
  [
    'What is the refund window for annual plans?',
    [
      doc(
        'kb-12',
        'Annual plans can be refunded in full within 30 days of purchase. After 30 days, refunds are prorated.',
        'https://help.example.com/refunds',
      ),
      doc(
        'kb-13',
        'Monthly plans are not refundable, but you can cancel at any time before the next billing date.',
      ),
    ],
  ],
  [
    'How do I reset two-factor authentication on my account?',
    [
      doc(
        'kb-40',
        'To reset two-factor authentication, open Settings, then Security, and choose Reset 2FA. You will need a backup code.',
      ),
      doc(
        'kb-41',
        'If you lost your backup codes, contact support with a photo ID; resets take up to 2 business days.',
      ),
    ],
  ],
  [
    'Does the Pro plan include priority support?',
    [
      doc(
        'pricing-1',
        'The Pro plan includes priority support with a 4-hour first-response target on business days.',
      ),
      doc('pricing-2', 'The Free plan includes community forum support only.'),
      doc('pricing-3', 'Enterprise plans include a named support engineer and a 1-hour response target.'),
    ],
  ],
  [
    'When was the Golden Gate Bridge opened?',
    [
      doc(
        'wiki-ggb',
        'The Golden Gate Bridge opened to traffic on May 27, 1937, after four years of construction.',
      ),
      doc(
        'wiki-ggb-2',
        'At its opening it was the longest suspension bridge main span in the world, at 4,200 feet.',
      ),
    ],
  ],
  [
    'What are the side effects of the new allergy medication?',
    [
      doc(
        'leaflet-3',
        'Common side effects include drowsiness and dry mouth. Less common effects include headache.',
      ),
      doc('leaflet-4', 'Do not combine with alcohol. Consult a doctor if symptoms persist beyond two weeks.'),
    ],
  ],
  [
    'How many vacation days do new employees get?',
    [
      doc('hr-7', 'New employees receive 20 vacation days per year, accrued monthly from the start date.'),
      doc('hr-8', 'Unused vacation days up to 5 can be carried over into the next calendar year.'),
    ],
  ],
  [
    'What is the maximum upload size for the API?',
    [
      doc(
        'api-limits',
        'Files uploaded through the API may be up to 512 MB each. Batch uploads are limited to 2 GB in total.',
      ),
      doc('api-rate', 'The API allows 600 requests per minute per key by default.'),
    ],
  ],
  [
    'Which regions is the service available in?',
    [
      doc('status-1', 'The service runs in three regions: us-east, eu-west and ap-southeast.'),
      doc(
        'status-2',
        'Data stays in the region chosen at project creation and is never replicated across regions.',
      ),
    ],
  ],
  [
    'Why did the company revenue fall in the third quarter?',
    [
      doc(
        'report-q3',
        'Third-quarter revenue fell 8% year over year, mainly because of weaker hardware sales in Europe.',
      ),
      doc('report-q3b', 'Services revenue grew 12%, partly offsetting the hardware decline.'),
    ],
  ],
  [
    'What is the boiling point of water at high altitude?',
    [
      doc(
        'sci-1',
        'At sea level water boils at 100 °C. The boiling point drops about 1 °C for every 300 m of altitude.',
      ),
      doc('sci-2', 'In Denver, at about 1,600 m, water boils at roughly 95 °C.'),
    ],
  ],
  [
    'How do I export my data?',
    [
      doc(
        'kb-90',
        'Go to Settings, then Data, and click Export. You will receive a ZIP file by email within one hour.',
      ),
      doc('kb-91', 'Exports include projects, comments and attachments, but not billing history.'),
    ],
  ],
  [
    'Is the museum open on Mondays?',
    [
      doc(
        'museum-hours',
        'The museum is open Tuesday to Sunday from 10:00 to 18:00. It is closed on Mondays except public holidays.',
      ),
      doc('museum-tickets', 'Tickets are free for visitors under 18 and on the first Sunday of every month.'),
    ],
  ],
  [
    'What does the warranty cover?',
    [
      doc(
        'warranty-1',
        'The two-year warranty covers manufacturing defects and battery failure below 80% capacity.',
      ),
      doc('warranty-2', 'Accidental damage, water damage and cosmetic wear are not covered.'),
    ],
  ],
  [
    'How long does shipping to Canada take?',
    [
      doc(
        'ship-1',
        'Standard shipping to Canada takes 5 to 8 business days. Express shipping takes 2 to 3 business days.',
      ),
      doc('ship-2', 'Customs duties for Canadian orders are collected at checkout.'),
    ],
  ],
  [
    'Who wrote the original proposal for the web?',
    [
      doc('hist-web', 'Tim Berners-Lee wrote the proposal for the World Wide Web at CERN in March 1989.'),
      doc('hist-web-2', 'The first website went online in 1991 and described the project itself.'),
    ],
  ],
  [
    'What is the recommended dose for children?',
    [
      doc(
        'dose-1',
        'Children aged 6 to 12 may take 5 ml every 6 hours, with no more than 4 doses in 24 hours.',
      ),
      doc('dose-2', 'Not recommended for children under 6 unless advised by a doctor.'),
    ],
  ],
]

export const retrievalPrompts: DemoPrompt[] = CASES.map(([question, sources], i) => ({
  id: `retrieval-${i + 1}`,
  category: 'retrieval',
  feature: 'search',
  turns: [question],
  system: SYSTEM,
  sources,
}))
