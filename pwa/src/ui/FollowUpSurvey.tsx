/**
 * The satisfaction survey asked by the officer at a follow-up: the five questions (five-point,
 * `overall` required) and a comment, as one `survey_responses` record queued offline. One answer
 * per visit: once answered here (or by the victim online) it is shown, not asked again.
 */

import { useState } from "preact/hooks";

import { buildSurvey, SCORES, SURVEY_QUESTIONS, type Problem } from "../aftercare/records";
import type { LocalRecord } from "../model/types";
import { useApp } from "./hooks";
import { ProblemText } from "./ProblemText";

export function FollowUpSurvey({ visit, language }: { visit: LocalRecord; language: string }) {
  const app = useApp();
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [comment, setComment] = useState("");
  const [problems, setProblems] = useState<Problem[]>([]);

  const save = async () => {
    const built = buildSurvey(visit.id, answers, comment, language);
    setProblems(built.problems);
    if (built.fields === null) {
      document.getElementById(`survey-${built.problems[0]!.field}`)?.focus();
      return;
    }
    await app.edit({ collection: "survey_responses", id: crypto.randomUUID(), visit_id: visit.id, fields: built.fields, coalesce: false });
  };

  return (
    <fieldset class="card add-form">
      <legend>Satisfaction survey with the victim</legend>
      <p class="hint">Read each question to the victim and record their answer. Only the first question must be answered.</p>
      {SURVEY_QUESTIONS.map(([key, question]) => {
        return (
          <fieldset key={key} class="field choice" id={`survey-${key}`} tabIndex={-1}>
            <legend>{question}</legend>
            <div class="choices">
              {SCORES.map(([v, l]) => (
                <label key={v} class="choice-item">
                  <input type="radio" name={`survey-${key}`} checked={answers[key] === v} onChange={() => setAnswers((a) => ({ ...a, [key]: v }))} />
                  {l}
                </label>
              ))}
            </div>
            <ProblemText id={`survey-${key}-error`} problems={problems} field={key} />
          </fieldset>
        );
      })}
      <div class="field">
        <label for="survey-comment">Anything else the victim said (optional)</label>
        <textarea id="survey-comment" rows={3} maxLength={2000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        <ProblemText id="survey-comment-error" problems={problems} field="comment" />
      </div>
      <button type="button" class="primary" onClick={() => void save()}>Save survey answers</button>
      {problems.length > 0 && <p class="error" role="alert">Check the answers: {problems.map((p) => p.message).join("; ")}.</p>}
    </fieldset>
  );
}
