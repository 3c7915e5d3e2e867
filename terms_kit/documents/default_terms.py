# ruff: noqa: E501  (one clause a line, for reviewable diffs)
"""The default terms of sale (CGV) shipped with terms-kit: the one source of their text.

Two complete texts, one for business clients and one for consumers, each in French and
English, in the format of TermsVersion.body ('# Title' starts a section, each other line is
a paragraph). `default_terms(kind, lang)` picks the one that fits the client; the figures
that differ per quote (price, deposit, penalty rate, mediator) are stated in the quote, which
prevails (C. civ. 1119), so the texts refer to it instead of repeating them.

The starter clause set (terms_kit/clauses/starter_clauses.json) does not copy these texts: a
starter clause names its section here (``sections``) and is read from it, so the default
CGV and the clauses an expert starts from cannot drift apart
(tests/integration/test_starter_clauses_default_terms.py).

Articles cited: C. com. L441-1, L441-10, D441-5; C. civ. 1119, 1218, 1231-3, 1231-6, 1344-1,
1366, 1367, 1590; C. conso L111-1, L214-1, L214-2, L221-18, L221-21, L221-24, L221-25,
L221-28, L612-1, R631-3; C. trav. L6353-5; CPI L131-3; CPC 48; RGPD (UE) 2016/679.
"""

TITLES = {"fr": "Conditions générales de vente", "en": "Terms of sale"}

BUSINESS_FR = """\
# 1. Objet et champ d'application
Les présentes conditions générales de vente (CGV) régissent les prestations de services que le prestataire fournit à des clients professionnels, telles que décrites dans le devis. Elles sont communiquées à tout client professionnel qui en fait la demande (art. L441-1 du Code de commerce).
Les conditions particulières du devis (prestation, prix, calendrier, modalités de paiement) prévalent sur les présentes CGV (art. 1119 du Code civil). Les conditions générales d'achat du client ne s'appliquent que si le prestataire les a acceptées par écrit.
# 2. Commande
Le contrat est formé par l'acceptation du devis par le client avant sa date de validité, en ligne (mention « Bon pour accord », signature électronique, art. 1366 et 1367 du Code civil) ou par la remise du devis signé. Le signataire déclare avoir le pouvoir d'engager le client.
# 3. Prix
Les prix sont exprimés en euros hors taxes ; la TVA au taux en vigueur à la date de facturation s'y ajoute, sauf franchise en base mentionnée au devis. Ils sont fermes pendant la durée de validité du devis. Les frais de déplacement ou dépenses engagées pour le compte du client ne sont facturés que s'ils sont prévus au devis.
# 4. Conditions de paiement
Les factures sont payables selon les modalités et le délai indiqués au devis et sur chaque facture, sans pouvoir dépasser soixante jours à compter de la date d'émission de la facture (art. L441-10 I du Code de commerce). À défaut de délai convenu, le paiement est dû trente jours après l'exécution de la prestation.
Lorsque le devis prévoit un acompte, il est payable à l'acceptation du devis et constitue un engagement ferme des deux parties ; il est déduit de la facture finale. Aucun escompte n'est accordé pour paiement anticipé, sauf mention contraire du devis.
# 5. Retard de paiement : pénalités et indemnité forfaitaire de 40 €
Tout retard de paiement entraîne de plein droit, dès le lendemain de la date d'échéance et sans rappel, des pénalités calculées au taux indiqué au devis et sur la facture, qui ne peut être inférieur à trois fois le taux de l'intérêt légal ; à défaut de taux convenu, au taux de refinancement de la Banque centrale européenne majoré de dix points (art. L441-10 II du Code de commerce).
Une indemnité forfaitaire pour frais de recouvrement de 40 € est due de plein droit pour chaque facture payée en retard (art. L441-10 II et D441-5 du Code de commerce) ; une indemnité complémentaire peut être demandée sur justification lorsque les frais engagés sont supérieurs.
Après mise en demeure restée sans effet, le prestataire peut suspendre l'exécution des prestations jusqu'au paiement des sommes échues.
# 6. Annulation, résiliation et remboursement
Le client peut annuler la commande par écrit à tout moment. Les prestations exécutées jusqu'à la date d'annulation, ainsi que les frais engagés et justifiés, sont facturés ; l'acompte versé s'impute sur ces sommes et le surplus éventuel est remboursé au client dans un délai de trente jours.
Si le prestataire annule la prestation sans faute du client, il rembourse dans le même délai toutes les sommes versées au titre des prestations non exécutées.
En cas de manquement grave de l'une des parties à ses obligations, non réparé dans les quinze jours d'une mise en demeure, l'autre partie peut résilier le contrat par écrit ; les prestations exécutées restent dues.
# 7. Propriété intellectuelle
Le prestataire conserve la propriété de ses méthodes, outils, savoir-faire et contenus préexistants. Les droits d'exploitation sur les livrables spécifiquement créés pour le client lui sont cédés, dans les limites (étendue, destination, lieu et durée) prévues au devis (art. L131-3 du Code de la propriété intellectuelle), à compter du paiement intégral du prix ; jusque-là, le client en dispose pour les seuls besoins de la prestation.
# 8. Responsabilité
Le prestataire exécute la prestation avec diligence et selon les règles de l'art ; il est tenu d'une obligation de moyens. Le client fournit en temps utile les informations et accès nécessaires et reste responsable de leur exactitude.
La responsabilité du prestataire est limitée aux dommages directs et prévisibles (art. 1231-3 du Code civil) et, sauf faute lourde ou dolosive, plafonnée au montant hors taxes payé au titre du devis concerné.
# 9. Confidentialité
Chaque partie garde confidentielles les informations non publiques reçues de l'autre à l'occasion du contrat et ne les utilise que pour son exécution, pendant toute sa durée et trois ans après son terme. Cette obligation ne vise pas les informations publiques ou dont la communication est exigée par la loi ou une autorité.
# 10. Données personnelles
Le prestataire traite les données personnelles des interlocuteurs du client pour l'exécution du contrat, la facturation, la preuve de l'acceptation et le respect de ses obligations légales (règlement (UE) 2016/679, RGPD, et loi n° 78-17 du 6 janvier 1978). Les pièces comptables sont conservées dix ans (art. L123-22 du Code de commerce), les autres données pendant la durée de la relation augmentée des délais de prescription.
Les personnes concernées disposent d'un droit d'accès, de rectification, d'effacement, de limitation, d'opposition et de portabilité, qu'elles exercent à l'adresse électronique du prestataire indiquée au devis ; elles peuvent introduire une réclamation auprès de la CNIL.
# 11. Force majeure
Aucune partie n'est responsable d'un retard ou d'une inexécution causé par un événement de force majeure au sens de l'article 1218 du Code civil. Si l'empêchement est temporaire, l'exécution est suspendue ; s'il dure plus de trente jours, chaque partie peut résilier le contrat par écrit, les prestations exécutées restant dues.
# 12. Droit applicable et juridiction
Le contrat est soumis au droit français. Les parties recherchent d'abord une solution amiable. Lorsque les deux parties ont contracté en qualité de commerçant, tout litige relève de la compétence exclusive du tribunal de commerce du ressort du siège du prestataire (art. 48 du Code de procédure civile) ; à défaut, les règles de compétence de droit commun s'appliquent.
"""

CONSUMER_FR = """\
# 1. Objet
Les présentes conditions générales de vente (CGV) régissent les prestations de services que le prestataire fournit à des consommateurs, telles que décrites dans le devis, qui en précise les caractéristiques essentielles, le prix et le calendrier (art. L111-1 du Code de la consommation). Les conditions particulières du devis prévalent sur les présentes CGV (art. 1119 du Code civil).
# 2. Commande
Le contrat est conclu lorsque le client accepte le devis avant sa date de validité : en ligne, après avoir confirmé son adresse électronique, coché les consentements demandés et signé la mention « Bon pour accord » (art. 1366 et 1367 du Code civil), ou en remettant le devis signé. Le client reçoit par e-mail une copie scellée du devis, des CGV et du certificat d'acceptation.
# 3. Prix
Les prix sont exprimés en euros toutes taxes comprises (TTC) ; en cas de franchise en base de TVA, la mention « TVA non applicable, art. 293 B du CGI » figure au devis. Aucun frais n'est dû en plus du prix indiqué au devis.
# 4. Paiement, acompte et arrhes
Le prix est payable selon les modalités et aux dates prévues au devis. Une somme versée d'avance est qualifiée au devis d'acompte ou d'arrhes ; à défaut, il s'agit d'arrhes : chaque partie peut alors renoncer au contrat, le client en les abandonnant, le prestataire en les restituant au double (art. L214-1 du Code de la consommation et art. 1590 du Code civil). Un acompte engage fermement les deux parties et s'impute sur le prix.
Les sommes versées d'avance portent intérêt au taux légal à l'expiration d'un délai de trois mois à compter du versement, jusqu'à l'exécution de la prestation (art. L214-2 du Code de la consommation).
En cas de retard de paiement, des intérêts au taux légal peuvent être demandés à compter d'une mise en demeure (art. 1231-6 et 1344-1 du Code civil).
# 5. Droit de rétractation
Pour un contrat conclu à distance ou hors établissement, le client dispose d'un délai de quatorze jours à compter de la conclusion du contrat pour se rétracter, sans motif ni pénalité (art. L221-18 du Code de la consommation) ; pour une formation professionnelle qu'il finance lui-même, ce délai est de dix jours et le stagiaire en informe l'organisme de formation par lettre recommandée avec avis de réception (art. L6353-5 du Code du travail).
Il peut se rétracter en ligne grâce à la fonction « Renoncer au contrat ici » de la page de son devis, puis « Confirmer la rétractation » (art. L221-21 du Code de la consommation), ou en adressant au prestataire le formulaire de rétractation joint au devis ou toute autre déclaration dénuée d'ambiguïté. Un accusé de réception daté lui est envoyé sur un support durable.
Le prestataire rembourse toutes les sommes versées au plus tard quatorze jours après avoir été informé de la rétractation (art. L221-24 du Code de la consommation).
Si le client a demandé expressément que la prestation commence avant la fin du délai de rétractation, il paie, en cas de rétractation, le prix de ce qui a été fourni jusqu'à sa décision (art. L221-25) ; il perd son droit de rétractation une fois la prestation entièrement exécutée (art. L221-28 1° du Code de la consommation).
# 6. Annulation et remboursement
Après le délai de rétractation, le client peut annuler la prestation par écrit. Les prestations déjà exécutées restent dues ; l'acompte versé s'impute sur leur prix et le surplus est remboursé au client dans les quatorze jours ; les arrhes suivent la règle de l'article 4.
Si le prestataire annule la prestation, il rembourse dans les quatorze jours toutes les sommes versées pour ce qui n'a pas été exécuté, et restitue les arrhes au double.
# 7. Propriété intellectuelle
Le prestataire conserve ses droits sur ses méthodes, supports et contenus. Le client peut utiliser les livrables qui lui sont remis pour son usage personnel ; toute autre exploitation (diffusion, reproduction, usage commercial) suppose l'accord écrit du prestataire (art. L131-3 du Code de la propriété intellectuelle).
# 8. Responsabilité
Le prestataire est responsable de plein droit de la bonne exécution des obligations résultant du contrat conclu à distance (art. L221-15 du Code de la consommation). Il peut s'exonérer de tout ou partie de sa responsabilité en prouvant que l'inexécution ou la mauvaise exécution est imputable au client, au fait imprévisible et insurmontable d'un tiers ou à un cas de force majeure. Aucune clause des présentes CGV ne limite le droit du client à réparation ni ses moyens de preuve.
# 9. Confidentialité
Le prestataire garde confidentielles les informations personnelles ou privées que le client lui confie pour la prestation et ne les utilise qu'à cette fin.
# 10. Données personnelles
Le prestataire traite les données du client pour exécuter le contrat, facturer, conserver la preuve de l'acceptation et respecter ses obligations légales (règlement (UE) 2016/679, RGPD, et loi n° 78-17 du 6 janvier 1978). Les données sont conservées pendant la relation puis pendant les délais de prescription ; les pièces comptables dix ans. Elles ne sont ni vendues ni cédées.
Le client dispose d'un droit d'accès, de rectification, d'effacement, de limitation, d'opposition et de portabilité, qu'il exerce à l'adresse électronique du prestataire indiquée au devis ; il peut introduire une réclamation auprès de la CNIL.
# 11. Force majeure
Aucune partie n'est responsable d'un retard ou d'une inexécution causé par un événement de force majeure au sens de l'article 1218 du Code civil. Si l'empêchement dure plus de trente jours, chaque partie peut résilier le contrat ; le client est alors remboursé, dans les quatorze jours, des sommes versées pour ce qui n'a pas été exécuté.
# 12. Médiation de la consommation
En cas de litige, le client adresse d'abord une réclamation écrite au prestataire. À défaut de solution, il peut recourir gratuitement au médiateur de la consommation indiqué au devis (art. L612-1 du Code de la consommation).
# 13. Droit applicable et juridiction
Le contrat est soumis au droit français, sans priver le client de la protection des dispositions impératives de la loi de sa résidence habituelle. Le client peut saisir, à son choix, la juridiction du lieu où il demeurait au moment de la conclusion du contrat ou de la survenance du fait dommageable, ou toute juridiction territorialement compétente selon le Code de procédure civile (art. R631-3 du Code de la consommation).
"""

BUSINESS_EN = """\
# 1. Purpose and scope
These terms of sale govern the services the provider supplies to business clients, as described in the quote. They are sent to any business client who asks for them (French Commercial Code, art. L441-1).
The particular conditions of the quote (service, price, schedule, payment terms) prevail over these terms (French Civil Code, art. 1119). The client's general purchasing conditions apply only if the provider has accepted them in writing.
# 2. Order
The contract is made when the client accepts the quote before its validity date, online ("Bon pour accord" statement, electronic signature, French Civil Code, art. 1366 and 1367) or by returning the signed quote. The signatory declares having the authority to bind the client.
# 3. Price
Prices are in euros excluding VAT; VAT at the rate in force on the invoice date is added, unless the quote states the VAT franchise. They are firm for the validity period of the quote. Travel costs or expenses incurred on the client's behalf are invoiced only if the quote provides for them.
# 4. Payment terms
Invoices are payable as stated in the quote and on each invoice, within at most sixty days of the invoice's issue date (French Commercial Code, art. L441-10 I). Where no term is agreed, payment is due thirty days after the service is performed.
Where the quote provides for a deposit (acompte), it is payable on acceptance of the quote and is a firm commitment of both parties; it is deducted from the final invoice. No discount is given for early payment unless the quote says otherwise.
# 5. Late payment: penalties and the €40 fixed indemnity
Any late payment automatically bears penalties, from the day after the due date and without reminder, at the rate stated in the quote and on the invoice, which may not be lower than three times the legal interest rate; failing an agreed rate, at the European Central Bank refinancing rate plus ten points (French Commercial Code, art. L441-10 II).
A fixed indemnity for recovery costs of €40 is due by law for each invoice paid late (French Commercial Code, art. L441-10 II and D441-5); further compensation may be claimed on proof where the costs incurred are higher.
After a formal notice left unanswered, the provider may suspend the services until the sums due are paid.
# 6. Cancellation, termination and refunds
The client may cancel the order in writing at any time. The services performed up to the cancellation and the costs incurred and justified are invoiced; the deposit paid is set against these sums and any surplus is refunded to the client within thirty days.
If the provider cancels the service through no fault of the client, it refunds within the same period all sums paid for services not performed.
If either party seriously breaches its obligations and does not remedy the breach within fifteen days of a formal notice, the other party may terminate the contract in writing; services performed remain due.
# 7. Intellectual property
The provider keeps ownership of its pre-existing methods, tools, know-how and content. The rights to use the deliverables created specifically for the client are assigned to the client within the limits (extent, purpose, place and duration) set in the quote (French Intellectual Property Code, art. L131-3), once the price is paid in full; until then the client may use them only for the purposes of the service.
# 8. Liability
The provider performs the service diligently and in a professional manner; it has an obligation of means. The client provides the information and access needed in good time and remains responsible for their accuracy.
The provider's liability is limited to direct and foreseeable damage (French Civil Code, art. 1231-3) and, save gross negligence or wilful misconduct, capped at the amount excluding VAT paid under the quote concerned.
# 9. Confidentiality
Each party keeps confidential the non-public information received from the other in connection with the contract and uses it only to perform it, for its whole term and three years after. This does not cover information that is public or whose disclosure is required by law or by an authority.
# 10. Personal data
The provider processes the personal data of the client's contacts to perform the contract, invoice, keep proof of the acceptance and meet its legal obligations (Regulation (EU) 2016/679, GDPR, and French law no. 78-17 of 6 January 1978). Accounting records are kept for ten years (French Commercial Code, art. L123-22), other data for the relationship plus the limitation periods.
Data subjects have the rights of access, rectification, erasure, restriction, objection and portability, exercised at the provider's e-mail address given in the quote; they may lodge a complaint with the CNIL.
# 11. Force majeure
Neither party is liable for a delay or failure caused by force majeure within the meaning of article 1218 of the French Civil Code. A temporary impediment suspends performance; if it lasts more than thirty days, either party may terminate the contract in writing, services performed remaining due.
# 12. Governing law and courts
The contract is governed by French law. The parties first seek an amicable solution. Where both parties contracted as merchants (commerçants), any dispute falls within the exclusive jurisdiction of the commercial court (tribunal de commerce) of the provider's registered office (French Code of Civil Procedure, art. 48); otherwise the ordinary rules of jurisdiction apply.
"""

CONSUMER_EN = """\
# 1. Purpose
These terms of sale govern the services the provider supplies to consumers, as described in the quote, which states their essential characteristics, price and schedule (French Consumer Code, art. L111-1). The particular conditions of the quote prevail over these terms (French Civil Code, art. 1119).
# 2. Order
The contract is made when the client accepts the quote before its validity date: online, after confirming their e-mail address, ticking the consents asked for and signing the "Bon pour accord" statement (French Civil Code, art. 1366 and 1367), or by returning the signed quote. The client receives by e-mail a sealed copy of the quote, these terms and the acceptance certificate.
# 3. Price
Prices are in euros including all taxes; under the VAT franchise, the quote states "TVA non applicable, art. 293 B du CGI". No charge is due on top of the price stated in the quote.
# 4. Payment, deposits (acompte and arrhes)
The price is payable as and when the quote provides. A sum paid in advance is called in the quote either acompte or arrhes; if nothing is said, it counts as arrhes: either party may then withdraw from the contract, the client by losing them, the provider by paying back twice their amount (French Consumer Code, art. L214-1 and French Civil Code, art. 1590). An acompte binds both parties firmly and is set against the price.
Sums paid in advance bear interest at the legal rate from three months after payment until the service is performed (French Consumer Code, art. L214-2).
If payment is late, interest at the legal rate may be claimed from a formal notice (French Civil Code, art. 1231-6 and 1344-1).
# 5. Right of withdrawal
For a contract made at a distance or off premises, the client has fourteen days from the conclusion of the contract to withdraw, without giving a reason or paying a penalty (French Consumer Code, art. L221-18); for vocational training they pay for themselves, the period is ten days and the trainee tells the training body by registered letter with acknowledgement of receipt (French Labour Code, art. L6353-5).
They may withdraw online with the "Withdraw from the contract here" function (in French "Renoncer au contrat ici") of their quote's page, then "Confirm the withdrawal" (French Consumer Code, art. L221-21), or by sending the provider the withdrawal form attached to the quote or any other clear statement. A dated acknowledgement is sent to them on a durable medium.
The provider refunds all sums paid no later than fourteen days after being informed of the withdrawal (French Consumer Code, art. L221-24).
If the client expressly asked for the service to start before the end of the withdrawal period, on withdrawing they pay for what has been provided until their decision (art. L221-25); they lose the right of withdrawal once the service has been fully performed (French Consumer Code, art. L221-28 1°).
# 6. Cancellation and refunds
After the withdrawal period, the client may cancel the service in writing. Services already performed remain due; a deposit (acompte) paid is set against their price and any surplus is refunded within fourteen days; arrhes follow the rule of article 4.
If the provider cancels the service, it refunds within fourteen days all sums paid for what has not been performed, and pays back arrhes twice over.
# 7. Intellectual property
The provider keeps its rights to its methods, materials and content. The client may use the deliverables handed over for their personal use; any other use (distribution, reproduction, commercial use) needs the provider's written consent (French Intellectual Property Code, art. L131-3).
# 8. Liability
The provider is liable by law for the proper performance of the obligations of a contract made at a distance (French Consumer Code, art. L221-15). It may be released from all or part of that liability by proving that the failure is due to the client, to the unforeseeable and insurmountable act of a third party or to force majeure. Nothing in these terms limits the client's right to compensation or their means of proof.
# 9. Confidentiality
The provider keeps confidential the personal or private information the client entrusts to it for the service and uses it only for that purpose.
# 10. Personal data
The provider processes the client's data to perform the contract, invoice, keep proof of the acceptance and meet its legal obligations (Regulation (EU) 2016/679, GDPR, and French law no. 78-17 of 6 January 1978). Data are kept for the relationship and then the limitation periods; accounting records for ten years. They are neither sold nor transferred.
The client has the rights of access, rectification, erasure, restriction, objection and portability, exercised at the provider's e-mail address given in the quote; they may lodge a complaint with the CNIL.
# 11. Force majeure
Neither party is liable for a delay or failure caused by force majeure within the meaning of article 1218 of the French Civil Code. If the impediment lasts more than thirty days, either party may terminate the contract; the client is then refunded, within fourteen days, the sums paid for what has not been performed.
# 12. Consumer mediation
In case of dispute, the client first sends a written complaint to the provider. Failing a solution, they may refer the dispute, free of charge, to the consumer mediator named in the quote (French Consumer Code, art. L612-1).
# 13. Governing law and courts
The contract is governed by French law, without depriving the client of the protection of the mandatory rules of the law of their habitual residence. The client may bring a claim, at their choice, before the court of the place where they lived when the contract was made or where the harmful event occurred, or any court with territorial jurisdiction under the Code of Civil Procedure (French Consumer Code, art. R631-3).
"""

TEXTS = {
    ("business", "fr"): BUSINESS_FR,
    ("consumer", "fr"): CONSUMER_FR,
    ("business", "en"): BUSINESS_EN,
    ("consumer", "en"): CONSUMER_EN,
}


def default_terms(client_kind, lang="fr"):
    """(title, body) of the default CGV that fits a client of ``client_kind``
    ("business" or "consumer"); a consumer text for anything that is not a business."""
    kind = "business" if client_kind == "business" else "consumer"
    lang = "en" if lang == "en" else "fr"
    return TITLES[lang], TEXTS[(kind, lang)]


def sections(client_kind, lang="fr"):
    """The default CGV as [(number, title, text)]: each '# N. Title' and its paragraphs (one
    a line, as TermsVersion.body holds them)."""
    _title, body = default_terms(client_kind, lang)
    found = []
    for block in body.strip().split("\n# "):
        heading, _newline, text = block.lstrip("# ").partition("\n")
        number, _dot, title = heading.partition(". ")
        found.append((int(number), title, text.strip()))
    return found
