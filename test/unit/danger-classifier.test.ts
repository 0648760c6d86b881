/**
 * The danger classifier's parts: the tagger (word boundaries, words inside mis-segmented text, negation, "not let
 * go"), the rules and what lowers them, the romanised fold, the model's training, the corpus and its splits, and
 * the floor on the test split that `npm run eval:danger` reports.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadContent, PROJECT_ROOT } from "../../src/content/load.ts";
import { romanFold } from "../../src/khmer/romanised.ts";
import { analyse, classifierOver, tagMessage, THRESHOLDS } from "../../src/safety/classifier.ts";
import { readSplit, SPLITS, splitOf } from "../../src/safety/corpus.ts";
import { evaluateDanger } from "../../src/safety/evaluate.ts";
import { DANGER_FLOOR, dangerNumberRules, meetsFloor } from "../../src/safety/floor.ts";
import { compileLexicon, loadConceptForms } from "../../src/safety/lexicon.ts";
import { loadDangerModel, trainModel } from "../../src/safety/model.ts";
import { corpusName, MODEL_SPLITS, trainingExample } from "../../src/safety/training.ts";
import { safetyTextProblems, shownFirst } from "../../src/safety/screens.ts";

const flows = join(PROJECT_ROOT, "flows");
const lexicon = compileLexicon(loadConceptForms(flows));
const content = loadContent(() => ({}));
const classify = content.classifyDanger;

/** The words of a message as the classifier reads them. */
const messageWords = (text: string) => tagMessage(text, lexicon).words;

/** The concepts of a message, "!" before a negated one. */
function concepts(text: string): string[] {
  return tagMessage(text, lexicon).tagging.tags.flatMap((t) => t.concepts.map((c) => (t.negated ? `!${c}` : c)));
}

describe("tagging", () => {
  it("never fires inside another word: វាយតម្លៃ (evaluate) is not វាយ (hit)", () => {
    expect(concepts("ខ្ញុំចង់វាយតម្លៃការងារ")).not.toContain("hit");
    expect(concepts("គេវាយខ្ញុំ")).toContain("hit");
  });

  it("finds an act inside a word the segmenter cut wrongly, at a syllable boundary only", () => {
    expect(messageWords("ប៉ាវាយខ្ញុំ")).not.toContain("វាយ");
    expect(concepts("ប៉ាវាយខ្ញុំ")).toContain("hit");
    expect(concepts("ប្រាក់រង្វាន់ទៀងទាត់")).not.toContain("hit"); // ទាត់ (kick) inside ទៀងទាត់ (regular)
  });

  it("folds chat and pre-reform spellings onto one word", () => {
    expect(concepts("ញុំចង់សំលាប់ខ្លួន")).toContain("suicide");
    expect(concepts("ខ្ញុំ ចង់ សម្លាប់ ខ្លួន")).toContain("suicide");
    expect(concepts("ប្តី\u200bវាយ\u200bខ្ញុំ")).toEqual(expect.arrayContaining(["intimate", "hit", "self"]));
  });

  it("marks an act negated after a negation, past people and particles", () => {
    expect(concepts("ប្តីខ្ញុំមិនដែលវាយខ្ញុំទេ")).toContain("!hit");
    expect(concepts("no one hurt me")).toContain("!hit");
    expect(concepts("I don't want to die")).not.toContain("want_die");
    expect(concepts("kon knhom ot leb tnam te")).toContain("!suicide_means"); // "my child did not swallow the pills"
    expect(concepts("kon knhom leb tnam")).toContain("suicide_means");
    expect(concepts("ke x vay knhom te")).toContain("!hit"); // chat "x" is "not"
    expect(concepts("ke vay knhom 3x hz rumlop knhom")).toContain("sexual"); // but after a number, "times"
  });

  it("reads 'I don't want to' before an act against oneself as a negation, not as 'I did not want it'", () => {
    expect(concepts("ញុំអត់ចង់សម្លាប់ខ្លួនទេ គ្រាន់តែហត់")).toContain("!suicide");
    expect(concepts("ខ្ញុំមិនចង់ធ្វើបាបខ្លួនឯងទៀតទេ")).toEqual(expect.arrayContaining(["self", "!self_harm"]));
    expect(concepts("ញុំអត់ចង់សម្លាប់ខ្លួនទេ")).not.toContain("bad_thing");
    // Before anything else it still tells of being forced.
    expect(concepts("គាត់ចាប់ខ្ញុំ ខ្ញុំមិនចង់ គាត់បង្ខំ")).toContain("bad_thing");
  });

  it("lets a form after a person's word win when it is longer: 'I' + 'don't want to live any more'", () => {
    // ខ្ញុំមិនចង់ ("I did not want it") used to hide មិនចង់រស់ទៀតទេ, so the rules read nothing.
    expect(concepts("ខ្ញុំមិនចង់រស់ទៀតទេ")).toEqual(["self", "want_die"]);
    expect(analyse("ខ្ញុំមិនចង់រស់ទៀតទេ", lexicon).rules.kinds).toContain("suicide");
  });

  it("carries a negation over 'or' to the next act: 'never touched me or talked dirty'", () => {
    expect(concepts("he never hit or kicked me")).not.toContain("hit");
    expect(concepts("ប្តីខ្ញុំមិនដែលវាយឬជេរខ្ញុំទេ")).not.toContain("hit");
    expect(concepts("he never hit me, he kicked me")).toContain("hit"); // no "or": the second act stands
  });

  it("reads common romanised words as themselves, not as the animals their spellings fold onto", () => {
    // "tha" (says), "tae" (but), "mun" (before) and "ko" (also) folded like duck, chicken and cow, and an animal
    // makes a threat to kill read as cooking: "stepfather is drunk and says he'll kill my mum tonight".
    for (const text of ["ov srevung tha yb nis sam lab mak knhom", "ke vay knhom mun nis", "knhom ko klach tae"])
      expect(concepts(text)).not.toContain("animal");
    expect(concepts("knhom samlab chrouk")).toContain("animal"); // an unambiguous animal still counts
  });

  it("stops a negation at the end of its clause: ',' '.' '។' '?' '!' ';' or a new line", () => {
    // "not enough rice, not allowed out of the house": the first "ot" is not about being held
    expect(concepts("bay ot krob, ot oy chenh pi pteah")).toContain("confine");
    expect(concepts("អត់ទេ។ គាត់វាយខ្ញុំរាល់យប់")).toContain("hit");
    expect(concepts("no\nhe hits me every night")).toContain("hit");
    expect(concepts("ប្តីខ្ញុំមិនវាយខ្ញុំទេ")).toContain("!hit"); // within one clause it still holds
    expect(messageWords("ខ្ញុំជំពាក់ 1,500 ដុល្លារ ឬ 2.5 លាន")).toEqual(expect.arrayContaining(["1,500", "2.5"]));
  });

  it("takes a year for the past, but not an amount of money ('២០០០រៀល', '2000 riel', '$2000')", () => {
    const pastOf = (text: string) => analyse(text, lexicon).rules.lowered.includes("past");
    expect(pastOf("in 2019 my husband hit me")).toBe(true);
    expect(pastOf("ម៉ែវាយខ្ញុំព្រោះខ្ញុំបាត់លុយ២០០០រៀល")).toBe(false);
    expect(pastOf("he hit me because I lost 2000 riel")).toBe(false);
  });

  it("reads 'I did not agree' as the writer's, not someone else refusing", () => {
    expect(concepts("ខ្ញុំមិនព្រម តែគាត់នៅតែធ្វើ")).toContain("not_agree");
    expect(concepts("ម្ចាស់ផ្ទះមិនព្រមឲ្យប្រាក់កក់វិញ")).not.toContain("not_agree"); // the landlord refuses
    expect(concepts("គេបង្ខំខ្ញុំ")).toContain("not_agree"); // forced, whoever is named
  });

  it("reads 'locked (someone) in' as being held, but not a locked house or bike", () => {
    expect(concepts("គេចាក់សោកូនប្រសាស្រីក្នុងបន្ទប់")).toContain("confine");
    expect(concepts("pdey chak so knhom knong bontob")).toContain("confine");
    expect(concepts("I lock my bike in the house")).not.toContain("confine");
  });

  it("reads 'not let (someone) leave' as being held, but not 'not let go and play'", () => {
    expect(concepts("ប្តីមិនឲ្យខ្ញុំចេញពីផ្ទះ")).toContain("confine");
    expect(concepts("pdey ot oy knhom chenh pteah")).toContain("confine");
    expect(concepts("ម៉ាក់មិនឲ្យខ្ញុំទៅលេង")).not.toContain("confine");
  });

  it("folds romanised spellings together, keeping words that differ apart", () => {
    expect(new Set(["chuoy", "chouy", "jouy", "juoy"].map(romanFold)).size).toBe(1);
    expect(new Set(["vay", "vai", "veay"].map(romanFold)).size).toBe(1);
    expect(romanFold("vay")).not.toBe(romanFold("vea")); // វាយ "hit" and វា "he, it"
    expect(romanFold("117")).toBe("117");
    expect(concepts("the man")).not.toContain("question"); // "the" is English, not romanised ទេ
    expect(concepts("pdey vay knhom teat")).toEqual(expect.arrayContaining(["intimate", "hit"]));
    expect(concepts("leng bier os luy khae teat hz")).not.toContain("hit"); // "teat" is ទៀត "again", not ទាត់ "kick"
  });
});

describe("outcomes and reasons", () => {
  it.each([
    ["កូនខ្ញុំលង់ទឹក", "danger", "medical"],
    ["ke rom lop knhom", "danger", "sexual_violence"],
    ["boss yok passport knhom ot oy chenh", "danger", "trafficking"],
    ["i will jump from the bridge tonight, goodbye", "danger", "suicide"],
  ] as const)("%s → %s (%s)", (text, outcome, kind) => {
    const got = classify(text);
    expect(got.outcome).toBe(outcome);
    expect(got.kind).toBe(kind);
    expect(got.reasons.some((r) => r.startsWith("rule:"))).toBe(true);
  });

  it.each([
    ["news about strangers", "ឃើញវីដេអូក្នុងហ្វេសប៊ុក គេវាយគ្នានៅកំពង់ចាម"],
    ["an idiom", "ក្តៅស្លាប់ហើយថ្ងៃនេះ"],
    ["a joke", "បើមកយឺតទៀត អញសម្លាប់ហ្អែង 😂"],
    ["cooking", "វាយពងមាន់ ៣ គ្រាប់ ធ្វើនំ"],
    ["the law, in general", "ច្បាប់ស្តីពីអំពើហិង្សាក្នុងគ្រួសារ និយាយអ្វីខ្លះ?"],
  ])("%s is not danger, and says what lowered it", (_what, text) => {
    const got = classify(text);
    expect(got.outcome).toBe("none");
  });

  it("reads a thing named right by 'missing' as the thing lost, and one named later as something seen", () => {
    const rulesOf = (text: string) => analyse(text, lexicon).rules.findings.map((f) => f.rule);
    // "My nephew, 8, missing since yesterday at 4 pm; a neighbour saw a white van."
    expect(rulesOf("ក្មួយប្រុស ៨ឆ្នាំ បាត់ពីម្សិលមិញ ម៉ោង៤ល្ងាច អ្នកជិតខាងឃើញឡានសមួយ")).toContain("a missing child");
    expect(rulesOf("kon knhom bat phone nov sala")).not.toContain("a missing child"); // lost the phone at school
    expect(rulesOf("ម៉ូតូកូនខ្ញុំបាត់")).not.toContain("a missing child"); // my child's motorbike is lost
  });

  it("reads rat poison set for the rats or asked about as pest control, and rat poison with intent as suicide", () => {
    const rulesOf = (text: string) => analyse(text, lexicon).rules.findings.map((f) => f.rule);
    const suicideRules = (text: string) => rulesOf(text).filter((r) => r.includes("means of suicide"));
    // "Which rat poison is good? The rats ate all the rice, and there are children in the house."
    expect(suicideRules("ថ្នាំពុលកណ្តុរណាមួយល្អ កណ្តុរស៊ីអង្ករអស់ហើយ មានក្មេងក្នុងផ្ទះផង")).toEqual([]);
    expect(suicideRules("where do i put rat poison so my kids cant reach it?")).toEqual([]);
    // "I want to drink rat poison", "goodbye, mum" with rat poison in hand, "rat poison" said alone.
    expect(suicideRules("i want to drink rat poison")).toEqual([
      "a means of suicide with intent, a goodbye or despair",
    ]);
    expect(suicideRules("ខ្ញុំមានថ្នាំពុលកណ្តុរនៅដៃ លាហើយម៉ែ")).toContain(
      "a means of suicide with intent, a goodbye or despair",
    );
    expect(suicideRules("ថ្នាំពុលកណ្តុរ")).toEqual(["a means of suicide"]);
    // "My mother drank rat poison" stays a medical emergency.
    expect(rulesOf("ម្តាយខ្ញុំផឹកថ្នាំពុលកណ្តុរ")).toContain("a medical emergency");
  });

  it("reads a price or the traffic that 'kills' as an idiom, and a person who kills over a price as a threat", () => {
    expect(classify("ថ្លៃសាំងឥឡូវសម្លាប់ខ្ញុំហើយ").outcome).toBe("none"); // petrol prices are killing me
    expect(classify("this traffic on Monivong is killing me").outcome).toBe("none");
    // "The broker says he will kill me if I don't pay the fee."
    expect(classify("មេខ្យល់ថានឹងសម្លាប់ខ្ញុំបើមិនបង់ថ្លៃ").outcome).toBe("danger");
  });

  it("shows the trafficking line beside the lead when someone is held, whoever holds them", () => {
    // "My husband locks me in the room and takes my phone": violence at home first, and a way out of being held.
    expect(classify("ប្តីខ្ញុំចាក់សោខ្ញុំក្នុងបន្ទប់ ហើយយកទូរស័ព្ទខ្ញុំ").kinds).toEqual(["gbv", "trafficking"]);
  });

  it("adds the model's kind as an 'also' line when the rules read another, and nothing when they agree", () => {
    // "They force me to do online scams; if I miss the target they beat me": the rules read a beating, the model
    // reads a scam compound, so the screen also names the trafficking line, and says why.
    const scam = classify("គេបង្ខំឲ្យបោកអនឡាញ បើមិនបានគោលដៅគេវាយ ជួយផងបង");
    expect(scam.kinds).toEqual(["gbv", "trafficking"]);
    expect(scam.reasons).toContain("model: also trafficking");
    expect(shownFirst("danger", scam.kinds ?? [])).toContain("anti_trafficking_police");
    // "My husband beats me every night": violence at home, and nothing else.
    const home = classify("ប្តីខ្ញុំវាយខ្ញុំរាល់យប់");
    expect(home.kinds).toEqual(["gbv"]);
    expect(home.reasons.some((r) => r.startsWith("model: also"))).toBe(false);
  });

  it("follows the model's kinds with the ones the context calls for when no rule found the danger", () => {
    // "The broker wants to take my 14-year-old daughter to Thailand to wash dishes; my mother-in-law has agreed":
    // no rule completes, the model reads trafficking, and a child is named, so the child line is shown too.
    const broker = classify("មេខ្យល់ចង់នាំកូនស្រីខ្ញុំអាយុ១៤ទៅថៃ ថាឲ្យលាងចាន ម្ដាយក្មេកយល់ព្រមហើយ");
    expect(broker.outcome).toBe("danger");
    expect(broker.reasons.some((r) => r.startsWith("rule:"))).toBe(false);
    expect(broker.kinds).toEqual(["trafficking", "child_abuse"]);
    expect(broker.reasons).toContain("context: also child_abuse");
    expect(shownFirst("danger", broker.kinds ?? [])).toContain("child_helpline");
    // Where a rule found the danger, the rules add the context's kinds themselves, and say so as a rule.
    const held = classify("ប្អូនប្រុសខ្ញុំនៅម៉ាឡេស៊ី គេដកលិខិតឆ្លងដែនហើយមិនឲ្យចេញ");
    expect(held.kinds).toEqual(["trafficking", "child_abuse"]);
    expect(held.reasons.some((r) => r.startsWith("context:"))).toBe(false);
  });

  it("shows the child helpline beside the trafficking line when the one sold or held is a child", () => {
    const got = classify("ប្តីខ្ញុំចង់លក់កូនពៅឲ្យគេព្រោះជំពាក់លុយគេ");
    expect(got.kind).toBe("trafficking");
    expect(got.kinds).toContain("child_abuse");
    expect(classify("ថៅកែយកលិខិតឆ្លងដែនប្តីខ្ញុំ មិនឲ្យចេញពីកន្លែងធ្វើការ").kinds).not.toContain("child_abuse");
  });

  it("names an adult luring a child (secret chats, photos asked for, 'don't tell mum') as possible danger", () => {
    const got = classify("មានបុរសម្នាក់ឆាតលួចៗជាមួយកូនស្រីខ្ញុំ សុំរូបអាក្រាត");
    expect(got).toMatchObject({ outcome: "danger", kind: "child_abuse" });
    expect(got.reasons).toContain("rule: an adult luring a child (child_abuse, possible)");
    expect(classify("my friend sent me sexy photos of a singer lol").outcome).toBe("none");
  });

  it("context that lowers a question does not lower a disclosure or a goodbye", () => {
    // "If" in a question about the writer's own partner is how many disclose; about a child in general it lowers.
    const disclosure = classify("តើធម្មតាទេ បើប្ដីវាត់ខ្ញុំនឹងខ្សែក្រវ៉ាត់រាល់ពេលខ្ញុំសុំលុយ?");
    expect(disclosure.outcome).not.toBe("none");
    expect(disclosure.reasons.join(" ")).not.toContain("hypothetical");
    expect(classify("What to do if a child swallows a coin?").reasons[0]).toBe("lowered by context: hypothetical");
    // The condition of a threat told before it is part of the threat: "threatens to burn the house if I don't pay".
    const threat = analyse("ម្ចាស់លុយ threat ថាដុតផ្ទះ បើអត់សងថ្ងៃនេះ", lexicon).rules;
    expect(threat.lowered).not.toContain("hypothetical");
    expect(threat.level).toBe(2);
    expect(analyse("what should i do if a loan shark threatens me?", lexicon).rules.lowered).toContain("hypothetical");
    // "Used to" (ធ្លាប់) in a thank-you does not make a goodbye the past; a last message alone is asked about.
    const goodbye = classify("អរគុណដែលធ្លាប់ជួយខ្ញុំ សារចុងក្រោយហើយ លាហើយ");
    expect(goodbye).toMatchObject({ outcome: "danger", kind: "suicide" });
    expect(goodbye.reasons).toContain("rule: a goodbye (suicide, possible)");
    // "If one day I'm no longer here, please look after my child": a word inside "if I'm not here" keeps the goodbye;
    // "if one day I'm not at home, leave the parcel with the neighbour" is an errand.
    const oneDay = classify("ខ្ញុំនឿយណាស់។ បើថ្ងៃណាខ្ញុំលែងនៅ សូមមើលកូនខ្ញុំផង");
    expect(oneDay).toMatchObject({ outcome: "danger", kind: "suicide" });
    expect(oneDay.reasons).toContain("rule: a goodbye (suicide, possible)");
    expect(classify("បើថ្ងៃណាខ្ញុំអត់នៅផ្ទះ សូមដាក់អីវ៉ាន់នៅផ្ទះអ្នកជិតខាង").outcome).toBe("none");
  });

  it("a message naming no harm needs a surer model when it is a few words than a sentence, surest for danger", () => {
    const model = loadDangerModel(flows);
    const short = "ខ្ញុំមិនដឹងទេបង"; // "I don't know, bong": no act, means or state, five words
    const sentence = "my sister went with the man from the village and now her phone is always off";
    const only = (limits: Partial<typeof THRESHOLDS>) =>
      classifierOver({ lexicon, model, thresholds: { ...THRESHOLDS, ...limits } });
    expect(only({ unnamed: 0, unnamedSentence: 1 })(short).outcome).toBe("check");
    expect(only({ unnamed: 1, unnamedSentence: 0 })(short).outcome).toBe("none");
    expect(only({ unnamed: 1, unnamedSentence: 0, certain: 1 })(sentence).outcome).toBe("check");
    expect(only({ unnamed: 0, unnamedSentence: 1, certain: 1 })(sentence).outcome).toBe("none");
    expect(classify(short).outcome).toBe("none");
    // The danger screen without a named harm: only for a sentence, only when the model is all but certain.
    expect(only({ unnamedSentence: 0, certain: 0 })(sentence)).toMatchObject({ outcome: "danger" });
    expect(only({ unnamedSentence: 0, certain: 1 })(sentence).outcome).toBe("check");
    expect(only({ unnamed: 0, certain: 0 })(short).outcome).toBe("check");
  });

  it("a request for a number is 'numbers', with no danger kind", () => {
    expect(classify("លេខប៉ូលិស")).toMatchObject({ outcome: "numbers" });
    expect(classify("lek lan pet")).toMatchObject({ outcome: "numbers" });
    expect(classify("what number do i call for help").outcome).toBe("numbers");
    // The segmenter keeps the ambulance's long name as one word: it must be a service word in that form too.
    expect(classify("លេខទូរស័ព្ទឡានសង្គ្រោះបន្ទាន់")).toMatchObject({ outcome: "numbers" });
    expect(classify("ឲ្យលេខទូរស័ព្ទជំនួយមក")).toMatchObject({ outcome: "numbers" });
    // "Call an ambulance" is a medical emergency to the rules; asked as "which number", the model overrules it.
    expect(classify("ហៅឡានពេទ្យលេខប៉ុន្មាន")).toMatchObject({ outcome: "numbers" });
    // A service's number asked in a general message (an NGO worker's poster) is still a request for the number.
    const poster = "Child helpline នៅខ្មែរលេខអី? ញុំធ្វើការ NGO ចង់ print ដាក់ផ្ទាំងនៅសាលា";
    expect(analyse(poster, lexicon).rules.lowered).toContain("generic");
    expect(classify(poster)).toMatchObject({ outcome: "numbers" });
  });

  it("a request the rules miss is caught by the model's number-request score, which the reasons name", () => {
    const model = loadDangerModel(flows);
    const rulesOnly = classifierOver({ lexicon, model, thresholds: { ...THRESHOLDS, numbers: 1.01 } });
    const requests = [
      "mean lek tel sombrab niyeay pel pibak chet te", // is there a number to talk to when I feel down?
      "lek tursap kapea komar", // child protection phone number
      "who do I phone at night if someone collapses",
    ];
    for (const text of requests) {
      expect(analyse(text, lexicon).rules.asksForNumber).toBe(false);
      expect(rulesOnly(text).outcome).not.toBe("numbers");
      const assessed = classify(text);
      expect(assessed.outcome).toBe("numbers");
      expect(assessed.guessed).toBe(true); // a question waiting for a typed answer reads it as the answer
      expect(assessed.reasons.join(" ")).toMatch(/% a request for a number/);
    }
    expect(classify("លេខប៉ូលិស").guessed).toBeUndefined(); // the rules' requests are never only guessed
    // An ordinary question with no number in it stays an ordinary question.
    expect(classify("ធ្វើអត្តសញ្ញាណប័ណ្ណនៅឯណា").outcome).toBe("none");
  });

  it("a request for a doctor from someone who has collapsed is danger, not a request for numbers", () => {
    const collapsed = "ខ្ញុំឈឺទ្រូងហើយដួលនៅមាត់ទ្វារ សូមជួយហៅពេទ្យផង";
    expect(classify(collapsed)).toMatchObject({ outcome: "danger", kind: "medical" });
    expect(classify("សូមជួយហៅពេទ្យផង លេខប៉ុន្មាន").outcome).toBe("numbers");
  });

  it("a sentence the model is all but certain is danger stays danger when it says 'called' (តេ)", () => {
    // "My son called me crying, saying his uncle presses burning cigarettes on his arm."
    const called = "កូនប្រុសញុំតេមកយំថាពូវាចុចបារីលើដៃវា";
    expect(classify(called)).toMatchObject({ outcome: "danger", kind: "child_abuse" });
    expect(classify("តេទៅប៉ូលិសលេខប៉ុន្មាន").outcome).toBe("numbers");
  });

  it("'must bring' is not documents kept, and chest pain alone is no emergency, but with one arm numb it is", () => {
    expect(classify("ជួយផងចង់ដឹងថាធ្វើសំបុត្រកំណើតកូនយឺតត្រូវយកឯកសារអីទៅឃុំ").outcome).toBe("none");
    expect(classify("ថៅកែយកលិខិតឆ្លងដែនខ្ញុំទុក អត់ឲ្យទៅផ្ទះ").outcome).toBe("danger");
    expect(classify("ម៉ែខ្ញុំឈឺទ្រូងតិចៗ ចង់ទៅពិនិត្យនៅមណ្ឌលសុខភាព").outcome).toBe("none");
    expect(classify("yeay chheu trung, dai chveng spoek, bek nheus chreun nas")).toMatchObject({
      outcome: "danger",
      kind: "medical",
    });
  });

  it("the reasons name rules, context and the model, never the message's own words", () => {
    const text = "ប្តីខ្ញុំវាយខ្ញុំរាល់យប់";
    const { reasons } = classify(text);
    expect(reasons.join(" ")).not.toContain(text);
    expect(reasons.at(-1)).toMatch(/^model: \d+ % danger$/);
  });

  it("never throws and answers every input: empty, emoji, control characters, Khmer digits, 4,096 characters", () => {
    for (const text of ["", "😀😀", "\u0000\u0007", "១២៣", "x".repeat(4096), "ក".repeat(4096), "\ud800"]) {
      expect(["danger", "check", "numbers", "none"]).toContain(classify(text).outcome);
    }
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) =>
        ["danger", "check", "numbers", "none"].includes(classify(text).outcome),
      ),
      { numRuns: 300 },
    );
  });

  it("shows the numbers that fit first: danger leads name the kind's own line; the check-in 117, 119 and it", () => {
    expect(shownFirst("danger", ["child_abuse"])[0]).toBe("child_helpline");
    expect(shownFirst("danger", ["medical"])[0]).toBe("ambulance");
    expect(shownFirst("check", ["trafficking"])).toEqual(["police", "ambulance", "anti_trafficking_police"]);
    expect(shownFirst("danger", ["gbv", "trafficking"])).toContain("anti_trafficking_police");
  });
});

describe("content check of the danger texts", () => {
  it("passes for the real texts, and names a lead that leaves out its kind's number", () => {
    const leaves = new Map([["safety.lead.medical", "Call an ambulance"]]);
    expect(safetyTextProblems("en", leaves, content.directory)).toContain(
      'locales/en: "safety.lead.medical" does not name {{ambulance}}',
    );
  });
});

describe("the model", () => {
  it("loads in well under a second", () => {
    // The best of three loads: beside the browser and end-to-end tests on a 2-core machine one load took 533 ms.
    const times = [0, 1, 2].map(() => {
      const started = performance.now();
      loadDangerModel(flows);
      return performance.now() - started;
    });
    expect(Math.min(...times)).toBeLessThan(500);
  });

  it("refuses a model file whose weights are not all finite numbers, naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "spean-model-"));
    mkdirSync(join(dir, "safety"));
    const good = JSON.parse(readFileSync(join(flows, "safety", "model.json"), "utf8")) as {
      danger: { weights: Record<string, unknown> };
    };
    try {
      for (const bad of ["0.5", null, { nested: 1 }]) {
        const model = { ...good, danger: { ...good.danger, weights: { ...good.danger.weights, "w:x": bad } } };
        writeFileSync(join(dir, "safety", "model.json"), JSON.stringify(model));
        expect(() => loadDangerModel(dir)).toThrow(/flows\/safety\/model\.json/);
      }
      writeFileSync(join(dir, "safety", "model.json"), JSON.stringify(good));
      expect(Object.fromEntries(loadDangerModel(dir).danger.weights)).toEqual(good.danger.weights);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("trains deterministically (the same examples give the same weights)", () => {
    const examples = readSplit(PROJECT_ROOT, "train")
      .slice(0, 80)
      .map((e) => trainingExample(e, lexicon));
    expect(trainModel(examples, "x", { epochs: 3 })).toEqual(trainModel(examples, "x", { epochs: 3 }));
  });

  it("learnt from the train and dev splits only, never test", () => {
    const model = loadDangerModel(flows);
    expect(model.trainedOn.corpus).toBe(corpusName(MODEL_SPLITS));
    expect(MODEL_SPLITS).not.toContain("test");
    const sizes = MODEL_SPLITS.map((s) => readSplit(PROJECT_ROOT, s).length);
    expect(model.trainedOn.examples).toBe(sizes.reduce((a, b) => a + b, 0));
  });
});

describe("the corpus (test/fixtures/danger-corpus)", () => {
  const splits = Object.fromEntries(SPLITS.map((s) => [s, readSplit(PROJECT_ROOT, s)])) as Record<
    (typeof SPLITS)[number],
    ReturnType<typeof readSplit>
  >;
  const all = Object.values(splits).flat();

  it("has at least 1,000 danger and 1,000 other messages, each with an English gloss, every kind and family", () => {
    expect(all.filter((e) => e.label === "danger").length).toBeGreaterThanOrEqual(1000);
    expect(all.filter((e) => e.label !== "danger").length).toBeGreaterThanOrEqual(1000);
    expect(all.every((e) => e.gloss.trim().length > 0)).toBe(true);
    expect(new Set(all.filter((e) => e.label === "danger").map((e) => e.kind)).size).toBe(7);
    expect(new Set(all.map((e) => e.style)).size).toBeGreaterThanOrEqual(12);
  });

  it("is split once, by the text alone: no message in two splits, each where splitOf puts it", () => {
    expect(new Set(all.map((e) => e.text)).size).toBe(all.length);
    for (const split of SPLITS) expect(splits[split].every((e) => splitOf(e.text) === split)).toBe(true);
  });

  it(`meets the floor on the test split: ${JSON.stringify(DANGER_FLOOR)}`, () => {
    const report = evaluateDanger(splits.test, classify, dangerNumberRules);
    const summary = {
      recall: report.recall,
      dangerShare: report.dangerShare,
      falseDanger: report.falseDanger,
      falseCheck: report.falseCheck,
    };
    expect(meetsFloor(report), JSON.stringify(summary)).toBe(true);
  });
});
