import { type DataForm, dataForm, FormError, parseDataForm, readForm, xml } from 'natter'
import { describe, expect, it } from 'vitest'

const asked: DataForm = {
  type: 'form',
  title: 'Settings',
  instructions: ['Fill this in', 'then send it'],
  fields: [
    { type: 'fixed', values: ['General'] },
    { var: 'FORM_TYPE', type: 'hidden', values: ['urn:example:settings'] },
    { var: 'name', label: 'Name', required: true, desc: 'What to call you' },
    { var: 'password', type: 'text-private' },
    { var: 'bio', type: 'text-multi' },
    { var: 'public', type: 'boolean', values: ['1'] },
    { var: 'color', type: 'list-single', options: [{ label: 'Red', value: 'red' }, { value: 'blue' }] },
    { var: 'topics', type: 'list-multi', options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] },
    { var: 'buddy', type: 'jid-single' },
  ],
}

function submit(fields: Record<string, string[]>): DataForm {
  return { type: 'submit', fields: Object.entries(fields).map(([name, values]) => ({ var: name, values })) }
}

describe('data forms', () => {
  it('builds a form and reads it back as it was', () => {
    const element = dataForm(asked)
    expect(element.attrs).toEqual({ xmlns: 'jabber:x:data', type: 'form' })
    expect(parseDataForm(element)).toEqual(asked)
  })

  it('reads the form inside a payload, and refuses a payload without one or with an unknown type', () => {
    const payload = xml('command', {}, dataForm({ type: 'result', fields: [{ var: 'x', values: ['1'] }] }))
    expect(parseDataForm(payload).type).toBe('result')
    expect(() => parseDataForm(xml('command'))).toThrow(/no data form/)
    expect(() => parseDataForm(xml('x', { xmlns: 'jabber:x:data', type: 'bogus' }))).toThrow(/form, submit, result or cancel/)
  })

  it('reads a submission into typed values', () => {
    const values = readForm(
      asked,
      submit({
        name: ['Alice'],
        bio: ['line one', 'line two'],
        public: ['false'],
        color: ['blue'],
        topics: ['a', 'c'],
        buddy: ['bob@example.org'],
        extra: ['x'],
      }),
    )
    expect(values).toEqual({
      FORM_TYPE: 'urn:example:settings',
      name: 'Alice',
      bio: 'line one\nline two',
      public: false,
      color: 'blue',
      topics: ['a', 'c'],
      buddy: 'bob@example.org',
    })
  })

  it('lists every problem of a submission', () => {
    const error = (() => {
      try {
        readForm(asked, submit({ public: ['maybe'], color: ['green'], topics: ['z'], buddy: ['@'], password: ['a', 'b'] }))
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(FormError)
    expect((error as FormError).problems).toEqual([
      'Name: required',
      'password: takes one value',
      'public: "maybe" is not a boolean',
      'color: not one of the options',
      'topics: not among the options',
      'buddy: "@" is not a JID',
    ])
  })

  it('refuses anything but a submit', () => {
    expect(() => readForm(asked, { type: 'cancel', fields: [] })).toThrow(FormError)
  })
})
