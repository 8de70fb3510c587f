"""Pure value normalisers: each returns a :class:`Normalised` or raises ``InvalidValue``.

``value`` is the comparable form, ``original`` the input as written, ``evidence`` what
was assumed or derived (see each module's docstring for its keys).
"""

from counterflow.model.normalise.base import Normalised
from counterflow.model.normalise.contact import find_emails, normalise_email
from counterflow.model.normalise.dates import normalise_date
from counterflow.model.normalise.finance import (
    find_crypto_wallets,
    find_ibans,
    normalise_bic,
    normalise_crypto_wallet,
    normalise_iban,
)
from counterflow.model.normalise.ids import (
    normalise_imei,
    normalise_jmbg,
    normalise_national_id,
    normalise_passport,
)
from counterflow.model.normalise.names import detect_script, fold_ascii, latinise, name_tokens, normalise_name
from counterflow.model.normalise.phones import find_phones, normalise_phone
from counterflow.model.normalise.plates import normalise_plate

__all__ = [
    "Normalised",
    "detect_script",
    "find_crypto_wallets",
    "find_emails",
    "find_ibans",
    "find_phones",
    "fold_ascii",
    "latinise",
    "name_tokens",
    "normalise_bic",
    "normalise_crypto_wallet",
    "normalise_date",
    "normalise_email",
    "normalise_iban",
    "normalise_imei",
    "normalise_jmbg",
    "normalise_name",
    "normalise_national_id",
    "normalise_passport",
    "normalise_phone",
    "normalise_plate",
]
