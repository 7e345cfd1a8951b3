import type { DemoPrompt, DemoTool } from '../types.ts'

export const weatherTool: DemoTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather or forecast for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', description: 'Forecast length in days' },
      },
      required: ['city'],
    },
  },
}

export const calendarTool: DemoTool = {
  type: 'function',
  function: {
    name: 'create_calendar_event',
    description: 'Create an event in the user calendar',
    parameters: {
      type: 'object',
      properties: {
        title: { type: 'string', description: 'Event title' },
        date: { type: 'string', description: 'Date as YYYY-MM-DD' },
        time: { type: 'string', description: 'Start time as HH:MM' },
        duration_minutes: { type: 'integer' },
        attendees: { type: 'array', items: { type: 'string' } },
      },
      required: ['title', 'date'],
    },
  },
}

export const searchTool: DemoTool = {
  type: 'function',
  function: {
    name: 'web_search',
    description: 'Search the web and return the top results',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'Search query' },
        max_results: { type: 'integer' },
        fresh: { type: 'boolean', description: 'Only results from the past week' },
      },
      required: ['query'],
    },
  },
}

const CASES: Array<[string, DemoTool[]]> = [
  ['What is the weather in Paris right now?', [weatherTool]],
  ['Will it rain in Seattle this weekend?', [weatherTool, searchTool]],
  ['Give me a 5-day forecast for Tokyo in celsius.', [weatherTool]],
  ['Is it warm enough in Madrid for a picnic today?', [weatherTool, calendarTool]],
  ['Schedule a dentist appointment next Tuesday at 9am.', [calendarTool]],
  ['Book a 30 minute sync with Priya and Tom on Friday afternoon.', [calendarTool, weatherTool]],
  ['Add my sister birthday dinner on June 14 to my calendar.', [calendarTool]],
  ['Set up a weekly planning meeting on Monday at 10:00.', [calendarTool, searchTool]],
  ['Search for the latest news about the Mars sample return mission.', [searchTool]],
  ['Find reviews of the new electric bikes from this week.', [searchTool, weatherTool]],
  ['Look up who won the last Champions League final.', [searchTool]],
  ['Find a good recipe for vegan lasagna.', [searchTool, calendarTool]],
  ['What should I wear in Chicago tomorrow?', [weatherTool, searchTool]],
  ['Put a reminder to call the bank on 2025-07-02 at 14:30.', [calendarTool]],
  ['Search for open-source alternatives to Photoshop.', [searchTool]],
  ['Check the weather in Nairobi and tell me if I need an umbrella.', [weatherTool]],
]

export const toolUsePrompts: DemoPrompt[] = CASES.map(([question, tools], i) => ({
  id: `tool-${i + 1}`,
  category: 'tool-use',
  feature: 'assistant',
  turns: [question],
  tools,
}))
