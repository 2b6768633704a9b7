#!/usr/bin/env bash
# Loads a small, real scenario into a running wijkflowd through its HTTP API: two districts
# (Feijenoord and Charlois), their subsidy rounds, a mandate, resident initiatives under both rule
# eras (the voting rounds until 30 September 2023; the district council, or its district manager
# under mandate, from 1 October 2023), an objection, and Feijenoord's district agreement.
#
# Each municipal system uses its own token; the admin token only moves the simulated clock (the
# server must run with --clock simulated, starting before 2023-01-09). Every command carries an
# Idempotency-Key; a store that holds the scenario already is left alone.
#
# Usage: tools/demo-scenario.sh   (reads WIJKFLOW_URL and the tokens from the environment:
#   ADMIN_TOKEN MIJN_ROTTERDAM_TOKEN OPZOOMER_TOKEN COUNCIL_FEIJENOORD_TOKEN
#   COUNCIL_CHARLOIS_TOKEN MANAGER_TOKEN COLLEGE_TOKEN WIJKMT_TOKEN)
set -euo pipefail

URL=${WIJKFLOW_URL:-http://127.0.0.1:8080}
now=""
n=0

# Moves the simulated clock to $1 (RFC 3339) if it is later; due timers fire on the way.
advance() {
  if [[ -z "$now" || "$1" > "$now" ]]; then
    curl -sS -o /dev/null -X POST "$URL/v1/admin/clock" -H "Authorization: Bearer $ADMIN_TOKEN" \
      -H 'Content-Type: application/json' --data "{\"advanceTo\":\"$1\"}"
    now=$1
  fi
}

field() { grep -o "\"$1\":\"[^\"]*\"" <<<"$2" | head -1 | cut -d'"' -f4 || true; }

# step AT TOKEN ROLE ACTOR WORKFLOW ID COMMAND BODY [EXPECTED-STATUS] [QUERY]
step() {
  local at=$1 token=$2 role=$3 actor=$4 wf=$5 id=$6 command=$7 body=$8 expect=${9:-2xx}
  local query=${10:-}
  advance "$at"
  n=$((n + 1))
  local out status
  out=$(curl -sS -w $'\n%{http_code}' -X POST "$URL/v1/$wf/$id/commands/$command$query" \
    -H "Authorization: Bearer $token" -H "X-Actor-Role: $role" -H "X-Actor-Id: $actor" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: demo-$n" --data "$body")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  local shown
  if [[ $status == 2* ]]; then
    shown="-> $(field state "$out") (v$(grep -o '"version":[0-9]*' <<<"$out" | cut -d: -f2))"
  else
    local rule
    rule=$(field rule "$out")
    shown="-> refused: $(field type "$out" | sed 's/urn:wijkflow:problem://')${rule:+ [$rule]}"
  fi
  printf '%s %-17s %-26s %-30s %-22s %s %s\n' "${at:0:10}" "$role" "$actor" "$wf/$id" \
    "$command" "$status" "$shown"
  if [[ $expect == 2xx && $status != 2* ]] || [[ $expect != 2xx && $status != "$expect" ]]; then
    echo "demo-scenario: unexpected answer to $command on $wf/$id: $status $out" >&2
    exit 1
  fi
}

F=feijenoord
C=charlois
if [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $ADMIN_TOKEN" \
  "$URL/v1/subsidy-rounds/$F-2023") == 200 ]]; then
  echo "The demo scenario is loaded already."
  exit 0
fi
echo "Loading the demo scenario into $URL"
echo
echo "-- Feijenoord's 2023 round: asked by the council, set and published by the college;"
echo "   it opens by itself on 1 February (a timer)"
step 2023-01-09T19:30:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F subsidy-rounds $F-2023 RequestRound \
  '{"district":"feijenoord","ceilingCents":"15000000","maxPerRequestCents":"2000000","period":{"start":"2023-02-01T00:00:00Z","end":"2024-01-01T00:00:00Z"},"motivation":"Een ronde voor het hele jaar"}'
step 2023-01-16T10:00:00Z "$COLLEGE_TOKEN" executive college subsidy-rounds $F-2023 SetRound \
  '{"district":"feijenoord","ceilingCents":"15000000","maxPerRequestCents":"2000000","period":{"start":"2023-02-01T00:00:00Z","end":"2024-01-01T00:00:00Z"},"distribution":"DISTRIBUTION_FIRST_COME"}'
step 2023-01-20T10:00:00Z "$COLLEGE_TOKEN" executive college subsidy-rounds $F-2023 OpenRound '{}' 422
step 2023-01-23T10:00:00Z "$COLLEGE_TOKEN" executive college subsidy-rounds $F-2023 PublishRound \
  '{"publicationRef":"Gemeenteblad 2023, 1201"}'

echo
echo "-- Before 1 October 2023: small requests decided directly, large ones by a residents' vote"
step 2023-03-01T09:12:00Z "$MIJN_ROTTERDAM_TOKEN" applicant res-0001 initiatives ini-2023-0001 Submit \
  '{"district":"feijenoord","roundId":"feijenoord-2023","title":"Buurtbarbecue Afrikaanderwijk","description":"Een barbecue voor de hele straat","requestedCents":"120000","channel":"CHANNEL_DIGITAL","applicant":{"id":"res-0001","name":"Fatima El Amrani","email":"fatima@example.org"}}'
step 2023-03-06T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0001 StartReview '{}'
step 2023-03-10T14:00:00Z "$OPZOOMER_TOKEN" intake opzoomer-mee initiatives ini-2023-0002 Submit \
  '{"district":"feijenoord","roundId":"feijenoord-2023","title":"Moestuin Bloemhof","description":"Een gezamenlijke moestuin","requestedCents":"800000","channel":"CHANNEL_PAPER_OPZOOMER_MEE","applicant":{"id":"res-0002","name":"Kees de Vries"}}'
step 2023-03-15T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0002 StartReview '{}'
step 2023-03-20T10:00:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F initiatives ini-2023-0001 Grant \
  '{"amountCents":"120000","reasons":"Past binnen de regeling"}' 422
step 2023-03-20T11:00:00Z "$COLLEGE_TOKEN" executive college initiatives ini-2023-0001 Grant \
  '{"amountCents":"120000","reasons":"Past binnen de regeling; brengt de straat samen"}'
step 2023-03-20T12:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0002 OpenVote \
  '{"closesOn":"2023-04-10T00:00:00Z"}'
step 2023-03-22T09:00:00Z "$MIJN_ROTTERDAM_TOKEN" publisher mijn-rotterdam initiatives ini-2023-0001 Publish \
  '{"url":"https://mijn.rotterdam.nl/initiatieven/ini-2023-0001","summary":"Buurtbarbecue Afrikaanderwijk"}'
step 2023-04-10T17:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0002 CloseVote \
  '{"counts":{"onlineFor":412,"onlineAgainst":88,"paperFor":57,"paperAgainst":12}}'
step 2023-04-14T10:05:00Z "$COLLEGE_TOKEN" executive college initiatives ini-2023-0002 Grant \
  '{"amountCents":"800000","reasons":"De bewoners stemden ruim voor (469 tegen 100)"}'

echo
echo "-- From 1 October 2023: the council decides, or its district manager under mandate"
step 2023-10-02T19:30:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F mandates $F GrantMandate \
  '{"district":"feijenoord","mandateId":"m-2023-1","grantee":"wm-feijenoord","maxAmountCents":"250000","validFrom":"2023-10-02T00:00:00Z","decisionRef":"Wijkraad Feijenoord 2023-10-02, besluit 7"}'
step 2023-10-05T08:30:00Z "$MIJN_ROTTERDAM_TOKEN" applicant res-0101 initiatives ini-2023-0101 Submit \
  '{"district":"feijenoord","roundId":"feijenoord-2023","title":"Kerstmarkt Katendrecht","requestedCents":"200000","channel":"CHANNEL_DIGITAL","applicant":{"id":"res-0101","name":"Noor Jansen","email":"noor@example.org"}}'
step 2023-10-09T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0101 StartReview '{}'
step 2023-10-16T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0101 Grant \
  '{"amountCents":"200000","reasons":"Past binnen de regeling en het mandaat"}'
step 2023-10-18T09:00:00Z "$MIJN_ROTTERDAM_TOKEN" publisher mijn-rotterdam initiatives ini-2023-0101 Publish \
  '{"url":"https://mijn.rotterdam.nl/initiatieven/ini-2023-0101","summary":"Kerstmarkt Katendrecht"}'
step 2023-10-20T11:00:00Z "$MIJN_ROTTERDAM_TOKEN" applicant res-0102 initiatives ini-2023-0102 Submit \
  '{"district":"feijenoord","roundId":"feijenoord-2023","title":"Pop-up winkel Hillesluis","requestedCents":"650000","channel":"CHANNEL_DIGITAL","applicant":{"id":"res-0102","name":"Ruben Visser","email":"ruben@example.org"}}'
step 2023-10-23T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0102 StartReview '{}'
step 2023-10-30T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$F initiatives ini-2023-0102 Grant \
  '{"amountCents":"650000","reasons":"x"}' 403
echo "   (the council refused at its meeting of 6 November; the decision is entered the next morning)"
step 2023-11-07T09:00:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F initiatives ini-2023-0102 Refuse \
  '{"reasons":"Een commerciele activiteit valt buiten de regeling"}' 2xx '?effectiveDate=2023-11-06T20:00:00Z'
echo
echo "-- Feijenoord's district agreement 2024-2027 and its first action plan, beside the objection"
step 2023-11-13T10:00:00Z "$WIJKMT_TOKEN" district-team wijkmt-$F district-agreements $F-2024-2027 DraftAgreement \
  '{"district":"feijenoord","firstYear":2024,"vision":"Een wijk waar iedereen meedoet"}'
step 2023-11-20T12:00:00Z "$MIJN_ROTTERDAM_TOKEN" applicant res-0102 initiatives ini-2023-0102 LodgeObjection \
  '{"objector":"res-0102","grounds":"De winkel is een sociale onderneming"}'
step 2023-11-27T19:30:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F district-agreements $F-2024-2027 EndorseAgreement \
  '{"meetingDate":"2023-11-27T19:30:00Z","meetingRef":"Openbare vergadering wijkraad 2023-11-27"}'
step 2023-11-28T10:00:00Z "$WIJKMT_TOKEN" district-team wijkmt-$F district-agreements $F-2024-2027 DraftActionPlan \
  '{"year":2024,"budgetCents":"12000000","summary":"Groen, veilig, samen"}'
step 2023-11-28T10:30:00Z "$WIJKMT_TOKEN" district-team wijkmt-$F district-agreements $F-2024-2027 AddAction \
  '{"year":2024,"actionId":"a-groen-1","title":"Geveltuinen Afrikaanderwijk","digiwapRef":"DW-2024-0311","budgetCents":"4000000","owner":"wijkmt-feijenoord"}'
step 2023-12-11T10:00:00Z "$COLLEGE_TOKEN" executive college district-agreements $F-2024-2027 AdoptAgreement \
  '{"decisionRef":"Collegebesluit 2023-12-11, 23bb4411"}'
step 2024-01-08T20:00:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F initiatives ini-2023-0102 DecideObjection \
  '{"outcome":"OBJECTION_OUTCOME_REJECTED","reasons":"De activiteit blijft commercieel; het besluit blijft staan"}'
step 2024-01-15T10:00:00Z "$COLLEGE_TOKEN" executive college district-agreements $F-2024-2027 AdoptActionPlan \
  '{"year":2024,"decisionRef":"Voorjaarsnota 2024"}'
step 2024-01-16T10:00:00Z "$WIJKMT_TOKEN" district-team wijkmt-$F district-agreements $F-2024-2027 StartActionPlan \
  '{"year":2024}'
echo
echo "-- Charlois in 2024: a round set by the college, a paper request taken in by Opzoomer Mee,"
echo "   granted by the district council itself (not by another district's council)"
step 2024-01-22T10:00:00Z "$COLLEGE_TOKEN" executive college subsidy-rounds $C-2024-1 SetRound \
  '{"district":"charlois","ceilingCents":"8000000","maxPerRequestCents":"1000000","period":{"start":"2024-02-01T00:00:00Z","end":"2024-07-01T00:00:00Z"},"distribution":"DISTRIBUTION_FIRST_COME"}'
step 2024-01-24T10:00:00Z "$COLLEGE_TOKEN" executive college subsidy-rounds $C-2024-1 PublishRound \
  '{"publicationRef":"Gemeenteblad 2024, 310"}'
step 2024-02-01T10:00:00Z "$WIJKMT_TOKEN" district-team wijkmt-$F district-agreements $F-2024-2027 UpdateAction \
  '{"actionId":"a-groen-1","status":"ACTION_STATUS_IN_PROGRESS","note":"Eerste 20 tuinen aangelegd"}'
step 2024-02-05T13:00:00Z "$OPZOOMER_TOKEN" intake opzoomer-mee initiatives ini-2024-0201 Submit \
  '{"district":"charlois","roundId":"charlois-2024-1","title":"Speeltuin Tarwewijk opknappen","requestedCents":"450000","channel":"CHANNEL_PAPER_OPZOOMER_MEE","applicant":{"id":"res-0201","name":"Yusuf Demir"}}'
step 2024-02-06T10:00:00Z "$MANAGER_TOKEN" district-manager wm-$C initiatives ini-2024-0201 StartReview '{}'
step 2024-02-12T20:00:00Z "$COUNCIL_FEIJENOORD_TOKEN" district-council wr-$F initiatives ini-2024-0201 Grant \
  '{"amountCents":"450000","reasons":"x"}' 403
step 2024-02-12T20:30:00Z "$COUNCIL_CHARLOIS_TOKEN" district-council wr-$C initiatives ini-2024-0201 Grant \
  '{"amountCents":"450000","reasons":"Veel kinderen in de buurt; de speeltuin is versleten"}'
step 2024-02-14T09:00:00Z "$MIJN_ROTTERDAM_TOKEN" publisher mijn-rotterdam initiatives ini-2024-0201 Publish \
  '{"url":"https://mijn.rotterdam.nl/initiatieven/ini-2024-0201","summary":"Speeltuin Tarwewijk"}'

echo
echo "-- The clock runs on to 1 March 2024: objection windows close by their timers"
advance 2024-03-01T00:00:00Z
echo
echo "Loaded $n commands."
