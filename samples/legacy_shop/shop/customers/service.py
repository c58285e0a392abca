"""Customer accounts: sign-up, profile, addresses, notes, loyalty points."""
from shop.customers import auth, repository, validators
from shop.db import execute_sql
from shop.models import Address, Customer, Wishlist
from shop.utils import log, session_scope, utcnow

POINTS_PER_EURO = 1


def register(data):
    data = validators.validate_signup(data)
    if repository.get_by_email(data["email"]) is not None:
        raise validators.ValidationError({"email": "already registered"})
    with session_scope():
        customer = Customer(
            email=data["email"],
            password_hash=auth.hash_password(data["password"]),
            first_name=data["first_name"].strip(),
            last_name=(data.get("last_name") or "").strip(),
            newsletter_opt_in=bool(data.get("newsletter")),
            created_at=utcnow(),
        )
        repository.add_customer(customer)
        repository.loyalty_account(customer.id, create=True)
    log.info("new customer %s", customer.id)
    # welcome mail is sent by notifications.tasks.send_welcome_mails (cron)
    return customer


def profile(customer_id):
    customer = repository.get_customer(customer_id)
    if customer is None:
        return None
    account = repository.loyalty_account(customer_id)
    return {
        "id": customer.id,
        "email": customer.email,
        "name": customer.full_name,
        "newsletter": customer.newsletter_opt_in,
        "points": account.points if account else 0,
        "tier": account.tier if account else "bronze",
        "addresses": [address_dict(a) for a in repository.addresses_for(customer_id)],
    }


def address_dict(address):
    return {
        "id": address.id,
        "kind": address.kind,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "postcode": address.postcode,
        "country": address.country,
        "default": address.is_default,
    }


def add_address(customer_id, data):
    data = validators.validate_address(data)
    with session_scope() as session:
        if data.get("default"):
            for existing in repository.addresses_for(customer_id):
                if existing.kind == data.get("kind", "shipping"):
                    existing.is_default = False
        address = Address(
            customer_id=customer_id,
            kind=data.get("kind", "shipping"),
            line1=data["line1"],
            line2=data.get("line2"),
            city=data["city"],
            postcode=data["postcode"].upper(),
            country=data["country"].upper(),
            is_default=bool(data.get("default")),
        )
        session.add(address)
    return address


def remove_address(customer_id, address_id):
    with session_scope():
        address = repository.get_address(address_id)
        if address is None or address.customer_id != customer_id:
            return False
        repository.delete_address(address)
    return True


def add_loyalty_points(customer_id, amount):
    points = int(amount) * POINTS_PER_EURO
    with session_scope():
        account = repository.loyalty_account(customer_id, create=True)
        account.points += points
        account.recompute_tier()
        account.updated_at = utcnow()
    return points


def deactivate(customer_id, admin_user_id=None):
    with session_scope():
        customer = repository.get_customer(customer_id)
        customer.is_active = False
        repository.add_note(customer_id, "account deactivated", admin_user_id)


def gdpr_erase(customer_id):
    """Right to be forgotten. Orders stay for the tax office, personal data goes."""
    with session_scope():
        customer = repository.get_customer(customer_id)
        customer.email = "erased-%d@invalid" % customer.id
        customer.first_name = None
        customer.last_name = None
        customer.phone = None
        customer.password_hash = None
        customer.is_active = False
        for address in repository.addresses_for(customer_id):
            address.line1 = "erased"
            address.line2 = None


# ---------------------------------------------------------------- dead code below
# The wishlist was switched off in 2019 and its table dropped. Nothing calls these,
# but the mobile app team asked us to keep them "for a while". -- sofia


def get_wishlist(customer_id):
    return execute_sql(
        "SELECT w.product_id, w.created_at FROM wishlists w WHERE w.customer_id = :customer_id",
        {"customer_id": customer_id},
    )


def add_to_wishlist(customer_id, product_id):
    with session_scope() as session:
        session.add(Wishlist(customer_id=customer_id, product_id=product_id))
